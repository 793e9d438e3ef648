// The dashboard's in-memory sessions; see session_store.h.
#include "web/session_store.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "absl/strings/escaping.h"

namespace creditbot {

std::string RandomToken256() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // No randomness: no session may be made with a guessable id.
    throw std::runtime_error("RAND_bytes failed: no secure randomness for a session id");
  }
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

WebSession SessionStore::Create(const WebUser& user) {
  WebSession session;
  session.id = RandomToken256();
  session.csrf_token = RandomToken256();
  session.user = user;
  session.created_at = clock_.Now();
  session.last_seen_at = session.created_at;
  std::lock_guard<std::mutex> lock(mutex_);
  while (!sessions_.empty() && sessions_.size() >= options_.max_sessions) DropOldest();
  sessions_[session.id] = session;
  return session;
}

std::optional<WebSession> SessionStore::Find(std::string_view id) {
  const absl::Time now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = sessions_.find(std::string(id));
  if (found == sessions_.end()) return std::nullopt;
  if (Expired(found->second, now)) {
    sessions_.erase(found);
    return std::nullopt;
  }
  found->second.last_seen_at = now;
  return found->second;
}

void SessionStore::Remove(std::string_view id) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(std::string(id));
}

std::size_t SessionStore::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

bool SessionStore::Expired(const WebSession& session, absl::Time now) const {
  return now - session.last_seen_at >= options_.idle_timeout ||
         now - session.created_at >= options_.absolute_timeout;
}

void SessionStore::DropOldest() {
  auto oldest = sessions_.begin();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->second.last_seen_at < oldest->second.last_seen_at) oldest = it;
  }
  sessions_.erase(oldest);
}

}  // namespace creditbot
