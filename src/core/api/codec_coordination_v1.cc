// FromObject/ToObject for the coordination.k8s.io/v1 kind: Lease.
#include <string>
#include <utility>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "src/core/api/codec_common.h"

namespace orch {
namespace codec {
namespace {

void DecodeLeaseSpec(const Json& j, const std::string& path, Errors* errors, LeaseSpec* out) {
  Reader r(j, path, errors);
  r.Read("holderIdentity", &out->holderIdentity);
  r.Read("leaseDurationSeconds", &out->leaseDurationSeconds);
  r.Read("acquireTime", &out->acquireTime);
  r.Read("renewTime", &out->renewTime);
  r.Read("leaseTransitions", &out->leaseTransitions);
  r.Read("strategy", &out->strategy);
  r.Read("preferredHolder", &out->preferredHolder);
  out->unknown = r.Unknown();
}

Json EncodeLeaseSpec(const LeaseSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  json::SetIfNotEmpty(j, "holderIdentity", spec.holderIdentity);
  json::SetIfSet(j, "leaseDurationSeconds", spec.leaseDurationSeconds);
  SetMicroTime(j, "acquireTime", spec.acquireTime);
  SetMicroTime(j, "renewTime", spec.renewTime);
  json::SetIfSet(j, "leaseTransitions", spec.leaseTransitions);
  json::SetIfNotEmpty(j, "strategy", spec.strategy);
  json::SetIfNotEmpty(j, "preferredHolder", spec.preferredHolder);
  return j;
}

}  // namespace
}  // namespace codec

template <>
absl::StatusOr<Lease> FromObject<Lease>(const Object& object) {
  codec::KindParts parts;
  if (absl::Status s = codec::ParseKind(object, Lease::kApiVersion, Lease::kKind, &parts); !s.ok()) return s;
  Lease lease;
  lease.metadata = object.metadata;
  json::Errors errors;
  codec::Reader r(parts.rest, "", &errors);
  r.Struct("spec", &lease.spec, codec::DecodeLeaseSpec);
  lease.unknown = codec::KindUnknown(r, parts.status, /*kind_has_status=*/false);
  if (!errors.empty()) return errors.ToStatus();
  return lease;
}

template <>
Object ToObject<Lease>(const Lease& lease) {
  json::Json rest = json::StartObject(lease.unknown);
  codec::SetStruct(rest, "spec", codec::EncodeLeaseSpec(lease.spec));
  return codec::MakeObject(Lease::kApiVersion, Lease::kKind, lease.metadata, std::move(rest), json::Json());
}

}  // namespace orch
