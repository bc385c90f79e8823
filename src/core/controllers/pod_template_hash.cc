#include "src/core/controllers/pod_template_hash.h"

#include "absl/strings/str_cat.h"

namespace orch::controllers {

std::string CanonicalTemplate(const PodTemplateSpec& pod_template) {
  // The ReplicaSet codec is the one place templates are encoded; a ReplicaSet holding only the
  // template gives its canonical text.
  ReplicaSet holder;
  holder.spec.template_ = pod_template;
  return ToObject(holder).spec;
}

bool EqualIgnoreHash(const PodTemplateSpec& a, const PodTemplateSpec& b) {
  PodTemplateSpec a_copy = a;
  PodTemplateSpec b_copy = b;
  a_copy.metadata.labels.erase(kPodTemplateHashLabel);
  b_copy.metadata.labels.erase(kPodTemplateHashLabel);
  return a_copy == b_copy || CanonicalTemplate(a_copy) == CanonicalTemplate(b_copy);
}

std::string ComputeHash(const PodTemplateSpec& pod_template, std::optional<int32_t> collision_count) {
  uint32_t hash = 2166136261u;  // FNV-32a offset basis
  auto write = [&hash](const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      hash ^= bytes[i];
      hash *= 16777619u;
    }
  };
  const std::string text = CanonicalTemplate(pod_template);
  write(text.data(), text.size());
  if (collision_count.has_value()) {
    // Kubernetes writes the count as 8 bytes, little-endian uint32 then zeros.
    unsigned char bytes[8] = {};
    const auto count = static_cast<uint32_t>(*collision_count);
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<unsigned char>(count >> (8 * i));
    write(bytes, sizeof(bytes));
  }
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out = absl::StrCat(hash);
  for (char& c : out) c = kAlphabet[static_cast<unsigned char>(c) % (sizeof(kAlphabet) - 1)];
  return out;
}

}  // namespace orch::controllers
