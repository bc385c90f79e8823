// The built-in kinds, listed once. Everything that enumerates them reads this list: the registry
// of kinds (FindResourceType), typed admission, the Client's typed writes (KindStruct) and the
// selectable fields. Each kind's struct (orch/api/types.h) describes itself with static members:
//
//   kApiVersion, kKind          "v1", "Pod"
//   kResource                   "pods", the plural of the API's URLs
//   kNamespaced                 whether objects live in a namespace
//   kStatusSubresource          whether status is written only through the status subresource
//   kSelectableFields           the fields field selectors may use (besides metadata.name/namespace)
//   kFieldLabelAliases          (optional) old field names the API still accepts for them
#ifndef ORCH_API_KINDS_H_
#define ORCH_API_KINDS_H_

namespace orch {

struct Namespace;
struct Node;
struct Pod;
struct Service;
struct Endpoints;
struct ConfigMap;
struct Event;
struct ReplicaSet;
struct Deployment;
struct Lease;

template <class... Kinds>
struct KindList {};

// Every built-in kind, in the order FindResourceType lists them.
using BuiltinKinds =
    KindList<Namespace, Node, Pod, Service, Endpoints, ConfigMap, Event, ReplicaSet, Deployment, Lease>;

// A field that field selectors may use, as Kubernetes' ToSelectableFields of the kind defines it.
struct SelectableField {
  const char* name;  // "spec.nodeName"
  // Where the value is in the document, as a dotted path ("source.component" for an Event's
  // "source"); nullptr for a field the API accepts but never gives a value (a pod's status.podIPs).
  const char* path;
  const char* absent = "";  // the value when absent: Kubernetes formats bools and ints ("false", "0")
};

// An old field name the API still accepts for a field (Kubernetes' field label conversion).
struct FieldLabelAlias {
  const char* alias;  // "spec.host"
  const char* field;  // "spec.nodeName"
};

}  // namespace orch

#endif  // ORCH_API_KINDS_H_
