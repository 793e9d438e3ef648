// The expat-backed XML tree and AWS error envelope reader; see aws_xml.h.
#include "aws/aws_xml.h"

#include <expat.h>

#include <cstddef>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace creditbot {
namespace {

constexpr std::size_t kMaxInput = std::size_t{16} << 20;
constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxElements = 100000;

std::string_view LocalName(std::string_view name) {
  const std::size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// Builds the tree while expat parses; `stack` holds the open elements, root first.
struct TreeBuilder {
  XML_Parser parser = nullptr;
  XmlElement root;
  bool have_root = false;
  std::vector<XmlElement*> stack;
  std::size_t elements = 0;
  std::string failure;  // set when we stop the parser ourselves

  void Fail(std::string why) {
    if (failure.empty()) failure = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

void XMLCALL OnStart(void* user, const XML_Char* name, const XML_Char** /*attributes*/) {
  auto* builder = static_cast<TreeBuilder*>(user);
  if (!builder->failure.empty()) return;
  if (++builder->elements > kMaxElements) return builder->Fail("too many elements");
  if (builder->stack.size() >= kMaxDepth) return builder->Fail("nested too deeply");
  XmlElement element;
  element.name = std::string(LocalName(name));
  if (builder->stack.empty()) {
    builder->root = std::move(element);
    builder->have_root = true;
    builder->stack.push_back(&builder->root);
  } else {
    std::vector<XmlElement>& siblings = builder->stack.back()->children;
    siblings.push_back(std::move(element));
    builder->stack.push_back(&siblings.back());
  }
}

void XMLCALL OnEnd(void* user, const XML_Char* /*name*/) {
  auto* builder = static_cast<TreeBuilder*>(user);
  if (!builder->stack.empty()) builder->stack.pop_back();
}

void XMLCALL OnText(void* user, const XML_Char* text, int length) {
  auto* builder = static_cast<TreeBuilder*>(user);
  if (builder->stack.empty() || length <= 0) return;
  builder->stack.back()->text.append(text, static_cast<std::size_t>(length));
}

void XMLCALL OnDoctype(void* user, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                       const XML_Char* /*pubid*/, int /*has_internal_subset*/) {
  static_cast<TreeBuilder*>(user)->Fail("a DOCTYPE is not accepted");
}

struct ParserDeleter {
  void operator()(XML_ParserStruct* parser) const { XML_ParserFree(parser); }
};

}  // namespace

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& child : children) {
    if (child.name == child_name) return &child;
  }
  return nullptr;
}

std::string XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* child = Child(child_name);
  return child == nullptr ? std::string() : child->text;
}

absl::StatusOr<XmlElement> ParseXml(std::string_view text) {
  if (text.size() > kMaxInput) return absl::InvalidArgumentError("XML: the document is over 16 MiB");
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (parser == nullptr) return absl::ResourceExhaustedError("XML: expat could not allocate a parser");
  TreeBuilder builder;
  builder.parser = parser.get();
  // The stack points into children vectors; that is safe because only the innermost open element gains
  // children, and no open element is in that element's vector.
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &OnStart, &OnEnd);
  XML_SetCharacterDataHandler(parser.get(), &OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), &OnDoctype);
  const XML_Status status = XML_Parse(parser.get(), text.data(), static_cast<int>(text.size()), XML_TRUE);
  if (!builder.failure.empty()) return absl::InvalidArgumentError(absl::StrCat("XML: ", builder.failure));
  if (status != XML_STATUS_OK) {
    return absl::InvalidArgumentError(absl::StrCat("XML: ", XML_ErrorString(XML_GetErrorCode(parser.get())),
                                                   " at line ", XML_GetCurrentLineNumber(parser.get())));
  }
  if (!builder.have_root) return absl::InvalidArgumentError("XML: no root element");
  return std::move(builder.root);
}

std::optional<AwsXmlError> ParseAwsXmlError(std::string_view body) {
  absl::StatusOr<XmlElement> root = ParseXml(body);
  if (!root.ok()) return std::nullopt;
  const XmlElement* error = nullptr;
  std::string request_id;
  if (root->name == "Error") {
    error = &*root;
    request_id = root->ChildText("RequestId");
  } else if (root->name == "ErrorResponse") {
    error = root->Child("Error");
    request_id = root->ChildText("RequestId");
  }
  if (error == nullptr) return std::nullopt;
  AwsXmlError parsed{error->ChildText("Code"), error->ChildText("Message"), std::move(request_id)};
  if (parsed.code.empty()) return std::nullopt;
  if (parsed.request_id.empty()) parsed.request_id = error->ChildText("RequestId");
  return parsed;
}

}  // namespace creditbot
