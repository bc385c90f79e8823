// The EventRecorder behind ControllerContext::recorder: writes core/v1 Events through the client,
// aggregating repeats of one event into its count. Loop thread only.
#ifndef ORCH_SRC_CORE_CONTROLLER_EVENT_RECORDER_H_
#define ORCH_SRC_CORE_CONTROLLER_EVENT_RECORDER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "orch/controller.h"

namespace orch {

class ClientEventRecorder final : public EventRecorder {
 public:
  ClientEventRecorder(Client& client, Clock& clock, std::string component, std::string host)
      : client_(client), clock_(clock), component_(std::move(component)), host_(std::move(host)) {}

  using EventRecorder::Record;
  void Record(const ObjectReference& regarding, absl::string_view type, absl::string_view reason,
              absl::string_view message) override;

 private:
  struct Seen {
    std::string namespace_;
    std::string name;
    int32_t count = 0;
    absl::Time first;
  };
  // How many distinct events are remembered for aggregation (client-go's LRU holds 4096).
  static constexpr size_t kMaxSeen = 4096;

  Client& client_;
  Clock& clock_;
  const std::string component_;
  const std::string host_;
  absl::flat_hash_map<std::string, Seen> seen_;
  uint64_t sequence_ = 0;
};

}  // namespace orch

#endif  // ORCH_SRC_CORE_CONTROLLER_EVENT_RECORDER_H_
