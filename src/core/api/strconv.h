// Number parsing with Go's rules, where Kubernetes' behaviour depends on them.
#ifndef ORCH_SRC_CORE_API_STRCONV_H_
#define ORCH_SRC_CORE_API_STRCONV_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace orch {

// strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only (no spaces), in range.
std::optional<int64_t> ParseInt64(absl::string_view s);

}  // namespace orch

#endif  // ORCH_SRC_CORE_API_STRCONV_H_
