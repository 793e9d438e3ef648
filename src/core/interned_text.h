// InternedText: an immutable piece of text held by reference, so the many fraud-report rows that repeat a
// SID, an MCC, an MNC or a country share one copy of it (8 bytes a field instead of a 32-byte std::string
// and, for a 34-character SID, a heap block of its own). TextInterner hands out one InternedText per
// distinct text while a report streams in.
//
// An InternedText reads like the std::string it replaces (assignment from text, str(), c_str(), empty(),
// clear(), comparison with text of any kind), so code that filled a FraudRow's fields keeps working; an
// InternedText built from text on its own (not through a TextInterner) simply owns its copy. The empty
// text holds nothing. Copies share the text (an atomic reference count), so an InternedText is as
// thread-safe as a std::shared_ptr<const std::string>: copies may be used and dropped by any thread.
// A TextInterner is thread-compatible.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace creditbot {

class InternedText {
 public:
  InternedText() = default;
  // Implicit, as std::string's are: `row.mcc = "400"`.
  InternedText(std::string_view text);  // NOLINT(google-explicit-constructor)
  InternedText(const char* text) : InternedText(std::string_view(text)) {}         // NOLINT
  InternedText(const std::string& text) : InternedText(std::string_view(text)) {}  // NOLINT
  InternedText(const InternedText& other) : node_(other.node_) { Acquire(); }
  InternedText(InternedText&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  InternedText& operator=(const InternedText& other);
  InternedText& operator=(InternedText&& other) noexcept;
  ~InternedText() { Release(); }

  const std::string& str() const { return node_ == nullptr ? Empty() : node_->text; }
  std::string_view view() const { return str(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  operator std::string_view() const { return str(); }    // NOLINT(google-explicit-constructor)
  operator absl::string_view() const { return str(); }   // NOLINT(google-explicit-constructor)
  // So that absl::StrCat("account ", row.account_sid) reads as it did with a std::string.
  operator absl::AlphaNum() const { return absl::AlphaNum(str()); }  // NOLINT(google-explicit-constructor)
  const char* c_str() const { return str().c_str(); }
  bool empty() const { return node_ == nullptr; }
  size_t size() const { return str().size(); }
  void clear() { *this = InternedText(); }

  // Texts from one TextInterner compare by address; any others by content.
  friend bool operator==(const InternedText& a, const InternedText& b) {
    return a.node_ == b.node_ || a.str() == b.str();
  }
  friend bool operator==(const InternedText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const InternedText& a, const char* b) { return a.view() == b; }
  friend bool operator==(const InternedText& a, const std::string& b) { return a.str() == b; }
  friend bool operator<(const InternedText& a, const InternedText& b) { return a.str() < b.str(); }
  friend std::ostream& operator<<(std::ostream& out, const InternedText& text);

 private:
  struct Node {
    std::atomic<uint32_t> refs{1};
    std::string text;
  };
  static const std::string& Empty();
  void Acquire() const {
    if (node_ != nullptr) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void Release();

  Node* node_ = nullptr;
};

// One InternedText per distinct text: Intern("ACx…") twice gives two handles on one copy. Keeps a handle on
// everything it interned until it is destroyed; the texts live on as long as an InternedText holds them.
class TextInterner {
 public:
  const InternedText& Intern(std::string_view text);

 private:
  absl::flat_hash_map<std::string_view, InternedText> texts_;  // keys point into their own values
};

}  // namespace creditbot
