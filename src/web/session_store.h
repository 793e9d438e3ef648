// SessionStore: the dashboard's signed-in browsers. A session is created after a sign-in (Slack's OpenID
// Connect, or the embedded default's local sign-in) and named by its id, which the browser holds in the
// `creditbot_session` cookie: 256 random bits (OpenSSL's RAND_bytes) in base64url, so an id cannot be
// guessed. Each session carries its own CSRF token (another 256 random bits) that every form of the
// dashboard posts back (web/dashboard.h checks it).
//
// Kept in memory, in this process only: a restart of `serve` signs everyone out, and two replicas do not
// share sessions (sticky sessions or one replica; acceptable for an internal tool — a store in the state
// database would lift it). At most `max_sessions` are kept; creating one more drops the least recently used.
//
// Expiry: a session ends after `idle_timeout` without a request, and `absolute_timeout` after it was
// created, whichever comes first; Find forgets an expired session.
//
// Thread-safe: one mutex around the map.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/time/time.h"
#include "common/clock.h"
#include "web/web_user.h"

namespace creditbot {

struct SessionOptions {
  absl::Duration idle_timeout = absl::Hours(2);       // Default: 2 hours without a request
  absl::Duration absolute_timeout = absl::Hours(12);  // Default: 12 hours after sign-in
  std::size_t max_sessions = 10000;                   // Default: 10,000 (the least recently used go first)
};

struct WebSession {
  std::string id;          // 43 characters of base64url (256 bits)
  std::string csrf_token;  // 43 characters of base64url (256 bits)
  WebUser user;
  absl::Time created_at;
  absl::Time last_seen_at;
};

// 256 random bits from OpenSSL's RAND_bytes as unpadded base64url (43 characters).
std::string RandomToken256();

class SessionStore {
 public:
  explicit SessionStore(const Clock& clock, SessionOptions options = {}) : clock_(clock), options_(options) {}

  // A new session for `user`, with fresh id and CSRF token.
  WebSession Create(const WebUser& user);
  // The live session named `id` (its last_seen_at set to now), or nullopt when there is none or it expired
  // (then it is forgotten).
  std::optional<WebSession> Find(std::string_view id);
  // Ends the session `id` (signing out); no-op when there is none.
  void Remove(std::string_view id);
  std::size_t size() const;

  const SessionOptions& options() const { return options_; }

 private:
  bool Expired(const WebSession& session, absl::Time now) const;
  void DropOldest();  // requires mutex_

  const Clock& clock_;
  const SessionOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, WebSession> sessions_;  // guarded by mutex_
};

}  // namespace creditbot
