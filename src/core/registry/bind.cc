// The pods/binding subresource.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/errors.h"
#include "src/core/registry/local_client.h"

namespace orch::registry {
namespace {

// Skips the JSON value that starts at text[*pos] (as the codec writes it: compact and valid),
// leaving *pos at what follows it. False if the text ends first.
bool SkipValue(absl::string_view text, size_t* pos) {
  size_t i = *pos;
  int depth = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      if (i >= text.size()) return false;
      ++i;
      if (depth == 0) break;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++i;
    } else if (c == '}' || c == ']') {
      if (depth == 0) break;  // the end of the enclosing object: a number or literal ended here
      --depth;
      ++i;
      if (depth == 0) break;
    } else if (c == ',' && depth == 0) {
      break;
    } else {
      ++i;
    }
  }
  if (i >= text.size()) return false;
  *pos = i;
  return true;
}

// Where a member named `key` goes in the JSON object whose '{' is at text[start], so that the
// members stay sorted by name as the codec writes them: the offset of the first member named after
// it, or of the closing '}'. npos when the object already has `key` or is not as the codec writes it.
size_t SortedMemberPosition(absl::string_view text, size_t start, absl::string_view key) {
  size_t pos = start + 1;
  while (pos < text.size()) {
    if (text[pos] == '}') return pos;
    if (text[pos] != '"') return absl::string_view::npos;
    const size_t name_end = text.find('"', pos + 1);
    if (name_end == absl::string_view::npos) return absl::string_view::npos;
    const absl::string_view name = text.substr(pos + 1, name_end - pos - 1);
    if (name.find('\\') != absl::string_view::npos || name == key) return absl::string_view::npos;
    if (name > key) return pos;
    size_t value = name_end + 1;
    if (value >= text.size() || text[value] != ':') return absl::string_view::npos;
    ++value;
    if (!SkipValue(text, &value) || value >= text.size()) return absl::string_view::npos;
    if (text[value] == ',') {
      pos = value + 1;
    } else if (text[value] == '}') {
      pos = value;
    } else {
      return absl::string_view::npos;
    }
  }
  return absl::string_view::npos;
}

// Binding is the scheduler's hot path: for the common shape of a pending pod (its document as the
// codec writes it, status {"phase":"Pending"}) the node name and the PodScheduled condition are
// spliced into the stored texts, where the codec would write them, instead of decoding and
// re-encoding the whole pod (about 10x less work); the texts are then what a decode and encode of
// the bound pod would give. Anything else takes the typed path.
bool SpliceNodeName(Object& pod, absl::string_view node_name) {
  constexpr absl::string_view kPrefix = R"({"spec":{)";
  if (!absl::StartsWith(pod.spec, kPrefix)) return false;
  for (char c : node_name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  const size_t start = kPrefix.size() - 1;
  const size_t at = SortedMemberPosition(pod.spec, start, "nodeName");
  if (at == absl::string_view::npos) return false;
  const std::string member = absl::StrCat(R"("nodeName":")", node_name, "\"");
  if (pod.spec[at] != '}') {
    pod.spec.insert(at, absl::StrCat(member, ","));
  } else if (at == start + 1) {
    pod.spec.insert(at, member);
  } else {
    pod.spec.insert(at, absl::StrCat(",", member));
  }
  bool found = false;
  for (auto& [field, value] : pod.fields) {
    if (field == "spec.nodeName") {
      value = std::string(node_name);
      found = true;
    }
  }
  if (!found) {
    pod.fields.emplace_back("spec.nodeName", std::string(node_name));
    std::sort(pod.fields.begin(), pod.fields.end());
  }
  return true;
}

bool SpliceScheduledCondition(Object& pod, absl::Time now) {
  if (pod.status != R"({"phase":"Pending"})") return false;
  pod.status = absl::StrCat(R"({"conditions":[{"lastProbeTime":null,"lastTransitionTime":")",
                            Time::Truncated(now).ToRfc3339(),
                            R"(","status":"True","type":"PodScheduled"}],"phase":"Pending"})");
  return true;
}

// The typed way, for any other shape: Conflict when the pod is already assigned.
absl::StatusOr<Object> BindTyped(const Object& current, absl::string_view node_name, absl::Time now) {
  absl::StatusOr<Pod> pod = FromObject<Pod>(current);
  if (!pod.ok()) return pod.status();
  if (!pod->spec.nodeName.empty()) {
    return ConflictError("pods", pod->metadata.name,
                         absl::StrCat("pod ", pod->metadata.name, " is already assigned to node \"",
                                      pod->spec.nodeName, "\""));
  }
  pod->spec.nodeName = std::string(node_name);
  PodCondition& scheduled = pod->status.EnsureCondition("PodScheduled");
  if (scheduled.status != "True") {
    scheduled.status = "True";
    scheduled.reason.clear();
    scheduled.message.clear();
    scheduled.lastTransitionTime = Time::Truncated(now);
  }
  return ToObject(*pod);
}

}  // namespace

absl::StatusOr<ObjectPtr> LocalClient::BindPod(absl::string_view namespace_, absl::string_view name,
                                               absl::string_view uid, absl::string_view node_name) {
  absl::StatusOr<const ResourceType*> type = TypeOf<Pod>();
  if (!type.ok()) return type.status();
  if (node_name.empty()) return InvalidError("Binding", name, "target.name: Required value");
  // One write of spec.nodeName and the PodScheduled condition together, conditional on the version
  // read: a write in between (a status update by someone else) makes it look again.
  for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
    absl::StatusOr<ObjectPtr> stored = store_.Get(**type, namespace_, name);
    if (!stored.ok()) return stored.status();
    const Object& current = (*stored)->object;
    if (!uid.empty() && current.metadata.uid != uid) {
      return absl::NotFoundError(absl::StrCat("pods \"", name, "\" with uid ", uid, " not found"));
    }
    if (current.metadata.deletionTimestamp.IsSet()) {
      return ConflictError("pods", name,
                           absl::StrCat("pod ", name, " is being deleted, cannot be assigned to a host"));
    }
    const absl::Time now = clock_.Now();
    Object next = current;
    if (!SpliceNodeName(next, node_name) || !SpliceScheduledCondition(next, now)) {
      absl::StatusOr<Object> typed = BindTyped(current, node_name, now);
      if (!typed.ok()) return typed.status();
      next = *std::move(typed);
    }
    absl::StatusOr<ObjectPtr> bound = store_.Update(
        NextVersion(**type, std::move(next), current, WriteKind::kSpecAndStatus), (*stored)->revision);
    if (IsConflict(bound.status())) continue;
    return bound;
  }
  return ConflictError("pods", name, "the pod keeps changing");
}

}  // namespace orch::registry
