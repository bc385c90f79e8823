// Codecs of the pod specification and status (orch/pod_spec.h), shared by the Pod, ReplicaSet and
// Deployment codecs. Decoders follow codec::Reader's rules; encoders omit empty values (omitempty) and
// write the fields Kubernetes always writes (containerPort, name, ...). Internal to src/core.
#ifndef ORCH_SRC_CORE_API_CODEC_POD_H_
#define ORCH_SRC_CORE_API_CODEC_POD_H_

#include <string>

#include "orch/api/pod_spec.h"
#include "src/core/api/codec_common.h"

namespace orch::codec {

// codec_container.cc
void DecodeContainer(const Json& j, const std::string& path, Errors* errors, Container* out);
Json EncodeContainer(const Container& container);
void DecodeVolume(const Json& j, const std::string& path, Errors* errors, Volume* out);
Json EncodeVolume(const Volume& volume);

// codec_pod.cc
void DecodeAffinity(const Json& j, const std::string& path, Errors* errors, Affinity* out);
Json EncodeAffinity(const Affinity& affinity);
void DecodePodSpec(const Json& j, const std::string& path, Errors* errors, PodSpec* out);
Json EncodePodSpec(const PodSpec& spec);
void DecodePodStatus(const Json& j, const std::string& path, Errors* errors, PodStatus* out);
Json EncodePodStatus(const PodStatus& status);
void DecodePodTemplateSpec(const Json& j, const std::string& path, Errors* errors, PodTemplateSpec* out);
Json EncodePodTemplateSpec(const PodTemplateSpec& spec);

}  // namespace orch::codec

#endif  // ORCH_SRC_CORE_API_CODEC_POD_H_
