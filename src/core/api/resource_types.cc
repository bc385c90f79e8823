// The registry of kinds the store and the API know: the built-in ones, described by their structs
// (orch/api/kinds.h), and those applications register.
#include <deque>
#include <map>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "orch/api/object.h"
#include "orch/api/types.h"

namespace orch {
namespace {

class Registry {
 public:
  Registry() { AddBuiltins(BuiltinKinds{}); }

  const ResourceType* Find(absl::string_view group, absl::string_view kind) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_kind_.find(std::make_pair(std::string(group), std::string(kind)));
    return it == by_kind_.end() ? nullptr : it->second;
  }

  std::vector<const ResourceType*> All() const {
    absl::ReaderMutexLock lock(&mu_);
    std::vector<const ResourceType*> all;
    for (const ResourceType& type : types_) {
      // A re-registered kind appears once, as its latest description.
      if (by_kind_.at(std::make_pair(type.group, type.kind)) == &type) all.push_back(&type);
    }
    return all;
  }

  const ResourceType* Add(ResourceType type) {
    absl::MutexLock lock(&mu_);
    // Entries are never freed or moved (deque), so pointers handed out stay valid.
    const ResourceType* stored = &types_.emplace_back(std::move(type));
    by_kind_[std::make_pair(stored->group, stored->kind)] = stored;
    return stored;
  }

 private:
  template <class... Kinds>
  void AddBuiltins(KindList<Kinds...>) {
    (Add(Describe<Kinds>()), ...);
  }

  // The ResourceType of a built-in kind, from its struct's description of itself.
  template <class T>
  static ResourceType Describe() {
    const TypeMeta meta{T::kApiVersion, T::kKind};
    ResourceType type{std::string(meta.Group()),
                      std::string(meta.Version()),
                      T::kKind,
                      T::kResource,
                      T::kNamespaced,
                      T::kStatusSubresource,
                      {},
                      {}};
    for (const SelectableField& field : T::kSelectableFields) type.selectable_fields.push_back(field.name);
    if constexpr (requires { T::kFieldLabelAliases; }) {
      for (const FieldLabelAlias& alias : T::kFieldLabelAliases) {
        type.field_label_aliases.emplace_back(alias.alias, alias.field);
      }
    }
    return type;
  }

  mutable absl::Mutex mu_;
  std::deque<ResourceType> types_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, const ResourceType*> by_kind_ ABSL_GUARDED_BY(mu_);
};

Registry& GlobalRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

const ResourceType* FindResourceType(absl::string_view group, absl::string_view kind) {
  return GlobalRegistry().Find(group, kind);
}

const ResourceType* FindResourceTypeFor(const TypeMeta& type) {
  const ResourceType* found = GlobalRegistry().Find(type.Group(), type.kind);
  if (found == nullptr || found->version != type.Version()) return nullptr;
  return found;
}

std::vector<const ResourceType*> AllResourceTypes() { return GlobalRegistry().All(); }

const ResourceType* RegisterResourceType(ResourceType type) { return GlobalRegistry().Add(std::move(type)); }

}  // namespace orch
