// Codecs of Container (ports, env, resources, probes, volume mounts) and Volume.
#include <string>

#include "src/core/api/codec_pod.h"

namespace orch::codec {
namespace {

void DecodeContainerPort(const Json& j, const std::string& path, Errors* errors, ContainerPort* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("hostPort", &out->hostPort);
  r.Read("containerPort", &out->containerPort);
  r.Read("protocol", &out->protocol);
  r.Read("hostIP", &out->hostIP);
  out->unknown = r.Unknown();
}

Json EncodeContainerPort(const ContainerPort& port) {
  Json j = json::StartObject(port.unknown);
  json::SetIfNotEmpty(j, "name", port.name);
  SetInt(j, "hostPort", port.hostPort);
  j["containerPort"] = port.containerPort;
  json::SetIfNotEmpty(j, "protocol", port.protocol);
  json::SetIfNotEmpty(j, "hostIP", port.hostIP);
  return j;
}

void DecodeFieldRef(const Json& j, const std::string& path, Errors* errors, ObjectFieldSelector* out) {
  Reader r(j, path, errors);
  r.Read("apiVersion", &out->apiVersion);
  r.Read("fieldPath", &out->fieldPath);
  out->unknown = r.Unknown();
}

Json EncodeFieldRef(const ObjectFieldSelector& ref) {
  Json j = json::StartObject(ref.unknown);
  json::SetIfNotEmpty(j, "apiVersion", ref.apiVersion);
  j["fieldPath"] = ref.fieldPath;
  return j;
}

void DecodeResourceFieldRef(const Json& j, const std::string& path, Errors* errors,
                            ResourceFieldSelector* out) {
  Reader r(j, path, errors);
  r.Read("containerName", &out->containerName);
  r.Read("resource", &out->resource);
  r.Read("divisor", &out->divisor);
  out->unknown = r.Unknown();
}

Json EncodeResourceFieldRef(const ResourceFieldSelector& ref) {
  Json j = json::StartObject(ref.unknown);
  json::SetIfNotEmpty(j, "containerName", ref.containerName);
  j["resource"] = ref.resource;
  if (ref.divisor) j["divisor"] = EncodeQuantity(*ref.divisor);
  return j;
}

void DecodeKeySelector(const Json& j, const std::string& path, Errors* errors, KeySelector* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("key", &out->key);
  r.Read("optional", &out->optional);
  out->unknown = r.Unknown();
}

Json EncodeKeySelector(const KeySelector& ref) {
  Json j = json::StartObject(ref.unknown);
  json::SetIfNotEmpty(j, "name", ref.name);
  j["key"] = ref.key;
  json::SetIfSet(j, "optional", ref.optional);
  return j;
}

void DecodeEnvVarSource(const Json& j, const std::string& path, Errors* errors, EnvVarSource* out) {
  Reader r(j, path, errors);
  r.Struct("fieldRef", &out->fieldRef, DecodeFieldRef);
  r.Struct("resourceFieldRef", &out->resourceFieldRef, DecodeResourceFieldRef);
  r.Struct("configMapKeyRef", &out->configMapKeyRef, DecodeKeySelector);
  r.Struct("secretKeyRef", &out->secretKeyRef, DecodeKeySelector);
  out->unknown = r.Unknown();
}

Json EncodeEnvVarSource(const EnvVarSource& source) {
  Json j = json::StartObject(source.unknown);
  SetOptional(j, "fieldRef", source.fieldRef, EncodeFieldRef);
  SetOptional(j, "resourceFieldRef", source.resourceFieldRef, EncodeResourceFieldRef);
  SetOptional(j, "configMapKeyRef", source.configMapKeyRef, EncodeKeySelector);
  SetOptional(j, "secretKeyRef", source.secretKeyRef, EncodeKeySelector);
  return j;
}

void DecodeEnvVar(const Json& j, const std::string& path, Errors* errors, EnvVar* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("value", &out->value);
  r.Struct("valueFrom", &out->valueFrom, DecodeEnvVarSource);
  out->unknown = r.Unknown();
}

Json EncodeEnvVar(const EnvVar& env) {
  Json j = json::StartObject(env.unknown);
  j["name"] = env.name;
  json::SetIfNotEmpty(j, "value", env.value);
  SetOptional(j, "valueFrom", env.valueFrom, EncodeEnvVarSource);
  return j;
}

void DecodeResources(const Json& j, const std::string& path, Errors* errors, ResourceRequirements* out) {
  Reader r(j, path, errors);
  r.Read("limits", &out->limits);
  r.Read("requests", &out->requests);
  out->unknown = r.Unknown();
}

Json EncodeResources(const ResourceRequirements& resources) {
  Json j = json::StartObject(resources.unknown);
  SetResourceList(j, "limits", resources.limits);
  SetResourceList(j, "requests", resources.requests);
  return j;
}

void DecodeVolumeMount(const Json& j, const std::string& path, Errors* errors, VolumeMount* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("readOnly", &out->readOnly);
  r.Read("mountPath", &out->mountPath);
  r.Read("subPath", &out->subPath);
  r.Read("mountPropagation", &out->mountPropagation);
  r.Read("subPathExpr", &out->subPathExpr);
  out->unknown = r.Unknown();
}

Json EncodeVolumeMount(const VolumeMount& mount) {
  Json j = json::StartObject(mount.unknown);
  j["name"] = mount.name;
  SetBool(j, "readOnly", mount.readOnly);
  j["mountPath"] = mount.mountPath;
  json::SetIfNotEmpty(j, "subPath", mount.subPath);
  json::SetIfNotEmpty(j, "mountPropagation", mount.mountPropagation);
  json::SetIfNotEmpty(j, "subPathExpr", mount.subPathExpr);
  return j;
}

void DecodeExec(const Json& j, const std::string& path, Errors* errors, ExecAction* out) {
  Reader r(j, path, errors);
  r.Read("command", &out->command);
  out->unknown = r.Unknown();
}

Json EncodeExec(const ExecAction& exec) {
  Json j = json::StartObject(exec.unknown);
  json::SetIfNotEmpty(j, "command", exec.command);
  return j;
}

void DecodeHeader(const Json& j, const std::string& path, Errors* errors, HTTPHeader* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("value", &out->value);
  out->unknown = r.Unknown();
}

Json EncodeHeader(const HTTPHeader& header) {
  Json j = json::StartObject(header.unknown);
  j["name"] = header.name;
  j["value"] = header.value;
  return j;
}

void DecodeHTTPGet(const Json& j, const std::string& path, Errors* errors, HTTPGetAction* out) {
  Reader r(j, path, errors);
  r.Read("path", &out->path);
  r.Read("port", &out->port);
  r.Read("host", &out->host);
  r.Read("scheme", &out->scheme);
  r.List("httpHeaders", &out->httpHeaders, DecodeHeader);
  out->unknown = r.Unknown();
}

Json EncodeHTTPGet(const HTTPGetAction& action) {
  Json j = json::StartObject(action.unknown);
  json::SetIfNotEmpty(j, "path", action.path);
  j["port"] = EncodeIntOrString(action.port);
  json::SetIfNotEmpty(j, "host", action.host);
  json::SetIfNotEmpty(j, "scheme", action.scheme);
  SetList(j, "httpHeaders", action.httpHeaders, EncodeHeader);
  return j;
}

void DecodeTCPSocket(const Json& j, const std::string& path, Errors* errors, TCPSocketAction* out) {
  Reader r(j, path, errors);
  r.Read("port", &out->port);
  r.Read("host", &out->host);
  out->unknown = r.Unknown();
}

Json EncodeTCPSocket(const TCPSocketAction& action) {
  Json j = json::StartObject(action.unknown);
  j["port"] = EncodeIntOrString(action.port);
  json::SetIfNotEmpty(j, "host", action.host);
  return j;
}

void DecodeProbe(const Json& j, const std::string& path, Errors* errors, Probe* out) {
  Reader r(j, path, errors);
  r.Struct("exec", &out->exec, DecodeExec);
  r.Struct("httpGet", &out->httpGet, DecodeHTTPGet);
  r.Struct("tcpSocket", &out->tcpSocket, DecodeTCPSocket);
  r.Read("initialDelaySeconds", &out->initialDelaySeconds);
  r.Read("timeoutSeconds", &out->timeoutSeconds);
  r.Read("periodSeconds", &out->periodSeconds);
  r.Read("successThreshold", &out->successThreshold);
  r.Read("failureThreshold", &out->failureThreshold);
  r.Read("terminationGracePeriodSeconds", &out->terminationGracePeriodSeconds);
  out->unknown = r.Unknown();
}

Json EncodeProbe(const Probe& probe) {
  Json j = json::StartObject(probe.unknown);
  SetOptional(j, "exec", probe.exec, EncodeExec);
  SetOptional(j, "httpGet", probe.httpGet, EncodeHTTPGet);
  SetOptional(j, "tcpSocket", probe.tcpSocket, EncodeTCPSocket);
  SetInt(j, "initialDelaySeconds", probe.initialDelaySeconds);
  SetInt(j, "timeoutSeconds", probe.timeoutSeconds);
  SetInt(j, "periodSeconds", probe.periodSeconds);
  SetInt(j, "successThreshold", probe.successThreshold);
  SetInt(j, "failureThreshold", probe.failureThreshold);
  json::SetIfSet(j, "terminationGracePeriodSeconds", probe.terminationGracePeriodSeconds);
  return j;
}

void DecodeKeyToPath(const Json& j, const std::string& path, Errors* errors, KeyToPath* out) {
  Reader r(j, path, errors);
  r.Read("key", &out->key);
  r.Read("path", &out->path);
  r.Read("mode", &out->mode);
  out->unknown = r.Unknown();
}

Json EncodeKeyToPath(const KeyToPath& item) {
  Json j = json::StartObject(item.unknown);
  j["key"] = item.key;
  j["path"] = item.path;
  json::SetIfSet(j, "mode", item.mode);
  return j;
}

void DecodeHostPath(const Json& j, const std::string& path, Errors* errors, HostPathVolumeSource* out) {
  Reader r(j, path, errors);
  r.Read("path", &out->path);
  r.Read("type", &out->type);
  out->unknown = r.Unknown();
}

Json EncodeHostPath(const HostPathVolumeSource& source) {
  Json j = json::StartObject(source.unknown);
  j["path"] = source.path;
  json::SetIfSet(j, "type", source.type);
  return j;
}

void DecodeEmptyDir(const Json& j, const std::string& path, Errors* errors, EmptyDirVolumeSource* out) {
  Reader r(j, path, errors);
  r.Read("medium", &out->medium);
  r.Read("sizeLimit", &out->sizeLimit);
  out->unknown = r.Unknown();
}

Json EncodeEmptyDir(const EmptyDirVolumeSource& source) {
  Json j = json::StartObject(source.unknown);
  json::SetIfNotEmpty(j, "medium", source.medium);
  if (source.sizeLimit) j["sizeLimit"] = EncodeQuantity(*source.sizeLimit);
  return j;
}

void DecodeConfigMapSource(const Json& j, const std::string& path, Errors* errors,
                           ConfigMapVolumeSource* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.List("items", &out->items, DecodeKeyToPath);
  r.Read("defaultMode", &out->defaultMode);
  r.Read("optional", &out->optional);
  out->unknown = r.Unknown();
}

Json EncodeConfigMapSource(const ConfigMapVolumeSource& source) {
  Json j = json::StartObject(source.unknown);
  json::SetIfNotEmpty(j, "name", source.name);
  SetList(j, "items", source.items, EncodeKeyToPath);
  json::SetIfSet(j, "defaultMode", source.defaultMode);
  json::SetIfSet(j, "optional", source.optional);
  return j;
}

void DecodeSecretSource(const Json& j, const std::string& path, Errors* errors, SecretVolumeSource* out) {
  Reader r(j, path, errors);
  r.Read("secretName", &out->secretName);
  r.List("items", &out->items, DecodeKeyToPath);
  r.Read("defaultMode", &out->defaultMode);
  r.Read("optional", &out->optional);
  out->unknown = r.Unknown();
}

Json EncodeSecretSource(const SecretVolumeSource& source) {
  Json j = json::StartObject(source.unknown);
  json::SetIfNotEmpty(j, "secretName", source.secretName);
  SetList(j, "items", source.items, EncodeKeyToPath);
  json::SetIfSet(j, "defaultMode", source.defaultMode);
  json::SetIfSet(j, "optional", source.optional);
  return j;
}

void DecodeClaimSource(const Json& j, const std::string& path, Errors* errors,
                       PersistentVolumeClaimVolumeSource* out) {
  Reader r(j, path, errors);
  r.Read("claimName", &out->claimName);
  r.Read("readOnly", &out->readOnly);
  out->unknown = r.Unknown();
}

Json EncodeClaimSource(const PersistentVolumeClaimVolumeSource& source) {
  Json j = json::StartObject(source.unknown);
  j["claimName"] = source.claimName;
  SetBool(j, "readOnly", source.readOnly);
  return j;
}

}  // namespace

void DecodeContainer(const Json& j, const std::string& path, Errors* errors, Container* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("image", &out->image);
  r.Read("command", &out->command);
  r.Read("args", &out->args);
  r.Read("workingDir", &out->workingDir);
  r.List("ports", &out->ports, DecodeContainerPort);
  r.List("env", &out->env, DecodeEnvVar);
  r.Struct("resources", &out->resources, DecodeResources);
  r.List("volumeMounts", &out->volumeMounts, DecodeVolumeMount);
  r.Struct("livenessProbe", &out->livenessProbe, DecodeProbe);
  r.Struct("readinessProbe", &out->readinessProbe, DecodeProbe);
  r.Struct("startupProbe", &out->startupProbe, DecodeProbe);
  r.Read("imagePullPolicy", &out->imagePullPolicy);
  out->unknown = r.Unknown();
}

Json EncodeContainer(const Container& c) {
  Json j = json::StartObject(c.unknown);
  j["name"] = c.name;
  json::SetIfNotEmpty(j, "image", c.image);
  json::SetIfNotEmpty(j, "command", c.command);
  json::SetIfNotEmpty(j, "args", c.args);
  json::SetIfNotEmpty(j, "workingDir", c.workingDir);
  SetList(j, "ports", c.ports, EncodeContainerPort);
  SetList(j, "env", c.env, EncodeEnvVar);
  SetStruct(j, "resources", EncodeResources(c.resources));
  SetList(j, "volumeMounts", c.volumeMounts, EncodeVolumeMount);
  SetOptional(j, "livenessProbe", c.livenessProbe, EncodeProbe);
  SetOptional(j, "readinessProbe", c.readinessProbe, EncodeProbe);
  SetOptional(j, "startupProbe", c.startupProbe, EncodeProbe);
  json::SetIfNotEmpty(j, "imagePullPolicy", c.imagePullPolicy);
  return j;
}

void DecodeVolume(const Json& j, const std::string& path, Errors* errors, Volume* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Struct("hostPath", &out->hostPath, DecodeHostPath);
  r.Struct("emptyDir", &out->emptyDir, DecodeEmptyDir);
  r.Struct("configMap", &out->configMap, DecodeConfigMapSource);
  r.Struct("secret", &out->secret, DecodeSecretSource);
  r.Struct("persistentVolumeClaim", &out->persistentVolumeClaim, DecodeClaimSource);
  out->unknown = r.Unknown();
}

Json EncodeVolume(const Volume& volume) {
  Json j = json::StartObject(volume.unknown);
  j["name"] = volume.name;
  SetOptional(j, "hostPath", volume.hostPath, EncodeHostPath);
  SetOptional(j, "emptyDir", volume.emptyDir, EncodeEmptyDir);
  SetOptional(j, "configMap", volume.configMap, EncodeConfigMapSource);
  SetOptional(j, "secret", volume.secret, EncodeSecretSource);
  SetOptional(j, "persistentVolumeClaim", volume.persistentVolumeClaim, EncodeClaimSource);
  return j;
}

}  // namespace orch::codec
