#include "src/core/registry/rules.h"

#include <algorithm>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "orch/errors.h"

namespace orch::registry {
namespace {

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

void DropStatusFields(Object* object) {
  std::erase_if(object->fields, [](const auto& f) { return absl::StartsWith(f.first, "status."); });
}

// Field values under "status." come from `status_source`, the others from `spec_source`.
std::vector<std::pair<std::string, std::string>> MergeFields(const Object& spec_source,
                                                             const Object& status_source) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& field : spec_source.fields) {
    if (!absl::StartsWith(field.first, "status.")) fields.push_back(field);
  }
  for (const auto& field : status_source.fields) {
    if (absl::StartsWith(field.first, "status.")) fields.push_back(field);
  }
  std::sort(fields.begin(), fields.end());
  return fields;
}

}  // namespace

std::string NewUid() {
  uint64_t hi = Random()();
  uint64_t lo = Random()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                         lo & 0xffffffffffffULL);
}

std::string RandomSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string suffix(5, ' ');
  for (char& c : suffix) c = kAlphabet[Random()() % (sizeof(kAlphabet) - 1)];
  return suffix;
}

void StampCreate(absl::Time now, ObjectMeta* meta) {
  meta->uid = NewUid();
  meta->creationTimestamp = Time::Truncated(now);
  meta->generation = 1;
  meta->resourceVersion.clear();
  meta->deletionTimestamp = Time{};
  meta->deletionGracePeriodSeconds.reset();
}

void PrepareForCreate(const ResourceType& type, Object* object) {
  if (IsCoreKind(type, "Pod")) {
    object->status = R"({"phase":"Pending"})";
    DropStatusFields(object);
    object->fields.emplace_back("status.phase", "Pending");
    std::sort(object->fields.begin(), object->fields.end());
  } else if (IsCoreKind(type, "Namespace")) {
    object->status = R"({"phase":"Active"})";
    object->fields = {{"status.phase", "Active"}};
  } else if (type.status_subresource && !IsCoreKind(type, "Node")) {
    // Deployments, ReplicaSets, Services and custom kinds with a status subresource start without one.
    object->status.clear();
    DropStatusFields(object);
  }
}

Object NextVersion(const ResourceType& type, Object object, const Object& old, WriteKind write) {
  Object next;
  if (write == WriteKind::kStatus) {
    next = old;
    next.fields = MergeFields(old, object);
    next.status = std::move(object.status);
  } else {
    next = std::move(object);
    next.type = old.type;
    ObjectMeta& meta = next.metadata;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    meta.deletionTimestamp = old.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    if (meta.generateName.empty()) meta.generateName = old.metadata.generateName;
    meta.generation = old.metadata.generation + (next.spec != old.spec ? 1 : 0);
    if (type.status_subresource && write == WriteKind::kMain) {
      next.status = old.status;
      next.fields = MergeFields(next, old);
    }
  }
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  return next;
}

absl::Status CheckPreconditions(const ResourceType& type, absl::string_view name, const Preconditions& pre,
                                const ObjectMeta& meta) {
  if (pre.uid && *pre.uid != meta.uid) {
    return ConflictError(type.QualifiedResource(), name,
                         absl::StrCat("Precondition failed: UID in precondition: ", *pre.uid,
                                      ", UID in object meta: ", meta.uid));
  }
  if (pre.resourceVersion && *pre.resourceVersion != meta.resourceVersion) {
    return ConflictError(
        type.QualifiedResource(), name,
        absl::StrCat("Precondition failed: ResourceVersion in precondition: ", *pre.resourceVersion,
                     ", ResourceVersion in object meta: ", meta.resourceVersion));
  }
  return absl::OkStatus();
}

bool Finalized(const ObjectMeta& meta) {
  return meta.deletionTimestamp.IsSet() && meta.finalizers.empty() &&
         meta.deletionGracePeriodSeconds.value_or(0) == 0;
}

void MarkDeleted(ObjectMeta* meta, absl::Time now, int64_t grace_seconds) {
  meta->deletionTimestamp = Time{Time::Truncated(now).value + absl::Seconds(grace_seconds)};
  meta->deletionGracePeriodSeconds = grace_seconds;
}

}  // namespace orch::registry
