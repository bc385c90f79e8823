// The endpoints controller: one Endpoints object per Service with a selector, listing the addresses
// of the matching pods, ready ones apart from not-ready ones, grouped into subsets by the ports they
// serve (a named targetPort can resolve to different numbers on different pods).
#include <map>
#include <set>

#include "orch/api/types.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "src/core/controllers/controller_util.h"

namespace orch {
namespace {

// Kubernetes' ShouldPodBeInEndpoints: a pod with an address that has not ended and is not going away.
bool ShouldBeInEndpoints(const Pod& pod) {
  if (pod.status.podIP.empty()) return false;
  if (pod.metadata.deletionTimestamp.IsSet()) return false;
  if (pod.Terminated()) return false;
  return true;
}

// The container port a Service port sends to on this pod, or 0 when a named port is not there.
int32_t ResolveTargetPort(const ServicePort& port, const Pod& pod) {
  if (port.targetPort.IsInt()) return port.targetPort.intVal != 0 ? port.targetPort.intVal : port.port;
  const std::string protocol = port.protocol.empty() ? "TCP" : port.protocol;
  for (const Container& container : pod.spec.containers) {
    for (const ContainerPort& container_port : container.ports) {
      const std::string container_protocol =
          container_port.protocol.empty() ? "TCP" : container_port.protocol;
      if (container_port.name == port.targetPort.strVal && container_protocol == protocol) {
        return container_port.containerPort;
      }
    }
  }
  return 0;
}

bool AddressLess(const EndpointAddress& a, const EndpointAddress& b) {
  if (a.ip != b.ip) return a.ip < b.ip;
  const std::string a_uid = a.targetRef ? a.targetRef->uid : "";
  const std::string b_uid = b.targetRef ? b.targetRef->uid : "";
  return a_uid < b_uid;
}

class EndpointsController final : public Controller {
 public:
  absl::string_view Name() const override { return "endpoint-controller"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    services_ = &context.InformerFor<Service>();
    pods_ = &context.InformerFor<Pod>();
    endpoints_ = &context.InformerFor<Endpoints>();
    services_->AddHandler([this](const InformerEvent& event) {
      const ObjectKey key = ObjectKey::Of(event.object->object.metadata);
      absl::StatusOr<Service> service = FromObject<Service>(event.object->object);
      if (event.type == WatchEventType::kDeleted || !service.ok()) {
        selectors_.erase(key);
      } else {
        selectors_[key] = service->spec.selector;
      }
      context_->queue().Add(key);
    });
    pods_->AddHandler([this](const InformerEvent& event) {
      EnqueueServicesOf(event.object);
      if (event.old != nullptr && event.old->object.metadata.labels != event.object->object.metadata.labels) {
        EnqueueServicesOf(event.old);
      }
    });
    // Someone else changed or removed an Endpoints object: put it back as it should be.
    endpoints_->AddHandler([this](const InformerEvent& event) {
      const ObjectMeta& meta = event.object->object.metadata;
      if (services_->Get(meta.namespace_, meta.name) != nullptr) context_->queue().Add(ObjectKey::Of(meta));
    });
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override {
    ObjectPtr stored_service = services_->Get(key.namespace_, key.name);
    if (stored_service == nullptr) {
      // The Service is gone: so are its endpoints.
      if (endpoints_->Get(key.namespace_, key.name) == nullptr) return absl::OkStatus();
      absl::Status deleted = Delete<Endpoints>(context_->client(), key.namespace_, key.name);
      return absl::IsNotFound(deleted) ? absl::OkStatus() : deleted;
    }
    absl::StatusOr<Service> service = FromObject<Service>(stored_service->object);
    if (!service.ok()) return absl::OkStatus();  // undecodable: nothing to act on, retrying will not help
    // Services without a selector have endpoints managed by someone else.
    if (service->spec.selector.empty()) return absl::OkStatus();
    if (service->metadata.deletionTimestamp.IsSet()) return absl::OkStatus();

    Endpoints desired;
    desired.metadata.namespace_ = key.namespace_;
    desired.metadata.name = key.name;
    desired.metadata.labels = service->metadata.labels;
    desired.subsets = Subsets(*service);

    ObjectPtr current = endpoints_->Get(key.namespace_, key.name);
    if (current == nullptr) {
      absl::StatusOr<Endpoints> created = Create(context_->client(), desired);
      if (absl::IsAlreadyExists(created.status())) return absl::UnavailableError("endpoints cache is behind");
      return created.status();
    }
    absl::StatusOr<Endpoints> existing = FromObject<Endpoints>(current->object);
    if (existing.ok() && existing->subsets == desired.subsets &&
        existing->metadata.labels == desired.metadata.labels) {
      return absl::OkStatus();
    }
    Endpoints updated = existing.ok() ? *existing : desired;
    updated.subsets = desired.subsets;
    updated.metadata.labels = desired.metadata.labels;
    updated.metadata.resourceVersion = current->object.metadata.resourceVersion;
    absl::StatusOr<Endpoints> written = Update(context_->client(), updated);
    return written.status();
  }

 private:
  void EnqueueServicesOf(const ObjectPtr& pod) {
    const ObjectMeta& meta = pod->object.metadata;
    for (auto it = selectors_.lower_bound(ObjectKey{meta.namespace_, ""});
         it != selectors_.end() && it->first.namespace_ == meta.namespace_; ++it) {
      const Labels& selector = it->second;
      if (selector.empty()) continue;
      bool matches = true;
      for (const auto& [label, value] : selector) {
        auto found = meta.labels.find(label);
        if (found == meta.labels.end() || found->second != value) {
          matches = false;
          break;
        }
      }
      if (matches) context_->queue().Add(it->first);
    }
  }

  std::vector<EndpointSubset> Subsets(const Service& service) {
    LabelSelector selector = LabelSelector::FromLabels(service.spec.selector);
    // Pods serving the same resolved ports share a subset, keyed by those ports.
    std::map<std::vector<std::tuple<std::string, int32_t, std::string>>, EndpointSubset> by_ports;
    for (const ObjectPtr& stored : pods_->List(service.metadata.namespace_, selector)) {
      absl::StatusOr<std::shared_ptr<const Pod>> decoded = Decoded<Pod>(*stored);
      if (!decoded.ok()) continue;
      const Pod* pod = decoded->get();
      if (!ShouldBeInEndpoints(*pod)) continue;
      std::vector<std::tuple<std::string, int32_t, std::string>> ports;
      for (const ServicePort& port : service.spec.ports) {
        const int32_t target = ResolveTargetPort(port, *pod);
        if (target == 0) continue;
        ports.emplace_back(port.name, target, port.protocol.empty() ? "TCP" : port.protocol);
      }
      // A Service with ports none of which this pod serves leaves the pod out, as Kubernetes does;
      // a Service without ports lists bare addresses.
      if (ports.empty() && !service.spec.ports.empty()) continue;
      std::sort(ports.begin(), ports.end());
      EndpointSubset& subset = by_ports[ports];
      if (subset.ports.empty()) {
        for (const auto& [name, number, protocol] : ports) {
          EndpointPort port;
          port.name = name;
          port.port = number;
          port.protocol = protocol;
          for (const ServicePort& service_port : service.spec.ports) {
            if (service_port.name == name) port.appProtocol = service_port.appProtocol;
          }
          subset.ports.push_back(std::move(port));
        }
      }
      EndpointAddress address;
      address.ip = pod->status.podIP;
      address.nodeName = pod->spec.nodeName;
      if (!pod->spec.hostname.empty() && pod->spec.subdomain == service.metadata.name) {
        address.hostname = pod->spec.hostname;
      }
      ObjectReference target;
      target.kind = "Pod";
      target.namespace_ = pod->metadata.namespace_;
      target.name = pod->metadata.name;
      target.uid = pod->metadata.uid;
      address.targetRef = std::move(target);
      if (controllers::IsPodReady(*pod) || service.spec.publishNotReadyAddresses) {
        subset.addresses.push_back(std::move(address));
      } else {
        subset.notReadyAddresses.push_back(std::move(address));
      }
    }
    std::vector<EndpointSubset> subsets;
    for (auto& [ports, subset] : by_ports) {
      std::sort(subset.addresses.begin(), subset.addresses.end(), AddressLess);
      std::sort(subset.notReadyAddresses.begin(), subset.notReadyAddresses.end(), AddressLess);
      subsets.push_back(std::move(subset));
    }
    return subsets;
  }

  ControllerContext* context_ = nullptr;
  Informer* services_ = nullptr;
  Informer* pods_ = nullptr;
  Informer* endpoints_ = nullptr;
  // Each Service's selector, decoded once per change, to find the Services a pod event concerns.
  std::map<ObjectKey, Labels> selectors_;
};

}  // namespace

std::unique_ptr<Controller> NewEndpointsController() { return std::make_unique<EndpointsController>(); }

}  // namespace orch
