// One rule for reading optional members of JSON objects (see json_fields.h).
#include "common/json_fields.h"

namespace creditbot {

const nlohmann::json* JsonMember(const nlohmann::json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

const nlohmann::json* JsonObjectMember(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = JsonMember(object, name);
  return value != nullptr && value->is_object() ? value : nullptr;
}

std::string JsonStringMember(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = JsonMember(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::string JsonStringMember(const nlohmann::json& object, std::initializer_list<std::string_view> names) {
  for (const std::string_view name : names) {
    const nlohmann::json* value = JsonMember(object, name);
    if (value != nullptr && value->is_string()) return value->get<std::string>();
  }
  return "";
}

bool JsonBoolMember(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = JsonMember(object, name);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

std::optional<std::int64_t> JsonIntegerMember(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = JsonMember(object, name);
  if (value == nullptr || !value->is_number_integer()) return std::nullopt;
  return value->get<std::int64_t>();
}

}  // namespace creditbot
