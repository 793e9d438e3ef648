// InternedText's reference counting and TextInterner's table.
#include "core/interned_text.h"

#include <ostream>
#include <utility>

namespace creditbot {

InternedText::InternedText(std::string_view text) {
  if (!text.empty()) node_ = new Node{{1}, std::string(text)};
}

InternedText& InternedText::operator=(const InternedText& other) {
  Node* const node = other.node_;  // `other` may be *this, which Release() empties
  other.Acquire();                 // first, so that assigning a text to itself never frees it
  Release();
  node_ = node;
  return *this;
}

InternedText& InternedText::operator=(InternedText&& other) noexcept {
  if (this != &other) {
    Release();
    node_ = std::exchange(other.node_, nullptr);
  }
  return *this;
}

const std::string& InternedText::Empty() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}

void InternedText::Release() {
  if (node_ != nullptr && node_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete node_;
  node_ = nullptr;
}

std::ostream& operator<<(std::ostream& out, const InternedText& text) { return out << text.str(); }

const InternedText& TextInterner::Intern(std::string_view text) {
  auto found = texts_.find(text);
  if (found != texts_.end()) return found->second;
  InternedText interned(text);
  const std::string_view key = interned.view();  // the node's own bytes: they never move
  return texts_.emplace(key, std::move(interned)).first->second;
}

}  // namespace creditbot
