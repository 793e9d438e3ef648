// The OpenSSL functions creditbot calls, forwarding to libssl.so.3 and libcrypto.so.3 loaded on first use
// (see the header).
#define OPENSSL_API_COMPAT 10101  // SHA256_Init/Update/Final, deprecated in 3.0 (see common/sha256.cc)

#include "common/lazy_openssl.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "common/dynamic_library.h"

namespace creditbot {
namespace {

// libssl's handle reaches libcrypto's functions too: dlsym searches a library and what it depends on.
constexpr char kLibsslSoname[] = "libssl.so.3";

// Every OpenSSL function the code base calls, directly or through Boost.Asio's TLS stream. A function called
// anywhere must be listed here and defined below, or the link fails (nothing else provides it).
// clang-format off
#define CREDITBOT_OPENSSL_FUNCTIONS(X)      \
  X(BIO_ctrl)                               \
  X(BIO_ctrl_pending)                       \
  X(BIO_free)                               \
  X(BIO_new_bio_pair)                       \
  X(BIO_read)                               \
  X(BIO_write)                              \
  X(BN_bin2bn)                              \
  X(BN_free)                                \
  X(BN_is_odd)                              \
  X(BN_is_one)                              \
  X(BN_num_bits)                            \
  X(CRYPTO_free)                            \
  X(CRYPTO_memcmp)                          \
  X(ERR_clear_error)                        \
  X(ERR_get_error)                          \
  X(ERR_reason_error_string)                \
  X(EVP_DigestVerify)                       \
  X(EVP_DigestVerifyInit)                   \
  X(EVP_MAC_CTX_free)                       \
  X(EVP_MAC_CTX_new)                        \
  X(EVP_MAC_fetch)                          \
  X(EVP_MAC_final)                          \
  X(EVP_MAC_init)                           \
  X(EVP_MAC_update)                         \
  X(EVP_Q_mac)                              \
  X(EVP_MD_CTX_free)                        \
  X(EVP_MD_CTX_new)                         \
  X(EVP_sha256)                             \
  X(EVP_PKEY_CTX_free)                      \
  X(EVP_PKEY_CTX_new_from_name)             \
  X(EVP_PKEY_free)                          \
  X(EVP_PKEY_fromdata)                      \
  X(EVP_PKEY_fromdata_init)                 \
  X(OSSL_PARAM_BLD_free)                    \
  X(OSSL_PARAM_BLD_new)                     \
  X(OSSL_PARAM_BLD_push_BN)                 \
  X(OSSL_PARAM_BLD_to_param)                \
  X(OSSL_PARAM_construct_end)               \
  X(OSSL_PARAM_construct_utf8_string)       \
  X(OSSL_PARAM_free)                        \
  X(RAND_bytes)                             \
  X(SHA256_Init)                            \
  X(SHA256_Update)                          \
  X(SHA256_Final)                           \
  X(SSL_CTX_ctrl)                           \
  X(SSL_CTX_free)                           \
  X(SSL_CTX_get_default_passwd_cb_userdata) \
  X(SSL_CTX_get_ex_data)                    \
  X(SSL_CTX_load_verify_locations)          \
  X(SSL_CTX_new)                            \
  X(SSL_CTX_set_default_passwd_cb_userdata) \
  X(SSL_CTX_set_default_verify_paths)       \
  X(SSL_CTX_set_ex_data)                    \
  X(SSL_CTX_set_options)                    \
  X(SSL_accept)                             \
  X(SSL_connect)                            \
  X(SSL_ctrl)                               \
  X(SSL_free)                               \
  X(SSL_get_error)                          \
  X(SSL_get_ex_data)                        \
  X(SSL_get_ex_data_X509_STORE_CTX_idx)     \
  X(SSL_get_shutdown)                       \
  X(SSL_get_verify_callback)                \
  X(SSL_get_verify_mode)                    \
  X(SSL_new)                                \
  X(SSL_read)                               \
  X(SSL_set_bio)                            \
  X(SSL_set_ex_data)                        \
  X(SSL_set_verify)                         \
  X(SSL_shutdown)                           \
  X(SSL_write)                              \
  X(TLS_client_method)                      \
  X(TLS_method)                             \
  X(TLS_server_method)                      \
  X(X509_STORE_CTX_get_current_cert)        \
  X(X509_STORE_CTX_get_error_depth)         \
  X(X509_STORE_CTX_get_ex_data)             \
  X(X509_check_host)                        \
  X(X509_check_ip_asc)
// clang-format on

struct Openssl {
#define CREDITBOT_OPENSSL_FIELD(name) decltype(&::name) name = nullptr;
  CREDITBOT_OPENSSL_FUNCTIONS(CREDITBOT_OPENSSL_FIELD)
#undef CREDITBOT_OPENSSL_FIELD
};

void ResolveAll(DynamicLibrary& library, Openssl& functions) {
#define CREDITBOT_OPENSSL_RESOLVE(name) library.Resolve(#name, functions.name);
  CREDITBOT_OPENSSL_FUNCTIONS(CREDITBOT_OPENSSL_RESOLVE)
#undef CREDITBOT_OPENSSL_RESOLVE
}

constinit LazyLibrary<Openssl> openssl(kLibsslSoname, "libssl3", "OpenSSL 3.0", &ResolveAll);

// OK when the library is loaded; the functions (null when it is not).
bool Ok() { return openssl.status().ok(); }
const Openssl& Get() { return openssl.functions(); }

// The text the functions that answer with text give when the library could not be loaded.
const char* LoadError() { return openssl.error_text(); }

// Calls the loaded function `Field` with `args`, or answers `failed` when OpenSSL could not be loaded.
template <auto Field, typename Result, typename... Args>
Result Forward(Result failed, Args... args) {
  return Ok() ? (Get().*Field)(args...) : failed;
}

// The same for a function that returns nothing: without OpenSSL there is nothing to do.
template <auto Field, typename... Args>
void ForwardVoid(Args... args) {
  if (Ok()) (Get().*Field)(args...);
}

}  // namespace

absl::Status LoadOpenssl() { return openssl.status(); }

bool OpensslLoaded() { return openssl.loaded(); }

}  // namespace creditbot

using creditbot::Forward;
using creditbot::ForwardVoid;
using creditbot::Openssl;

// Each definition repeats its openssl/*.h declaration (the compiler refuses a mismatch) and the value
// OpenSSL documents for a failure.
extern "C" {

// BIO: the memory pair between Boost.Asio's socket and the TLS engine.
long BIO_ctrl(BIO* bio, int command, long number, void* pointer) {
  return Forward<&Openssl::BIO_ctrl, long>(0, bio, command, number, pointer);
}
size_t BIO_ctrl_pending(BIO* bio) { return Forward<&Openssl::BIO_ctrl_pending, size_t>(0, bio); }
int BIO_free(BIO* bio) { return Forward<&Openssl::BIO_free, int>(0, bio); }
int BIO_new_bio_pair(BIO** bio1, size_t writebuf1, BIO** bio2, size_t writebuf2) {
  return Forward<&Openssl::BIO_new_bio_pair, int>(0, bio1, writebuf1, bio2, writebuf2);
}
int BIO_read(BIO* bio, void* data, int length) {
  return Forward<&Openssl::BIO_read, int>(-1, bio, data, length);
}
int BIO_write(BIO* bio, const void* data, int length) {
  return Forward<&Openssl::BIO_write, int>(-1, bio, data, length);
}

// BIGNUM: an RSA key's modulus and exponent (common/jwk_set.cc).
BIGNUM* BN_bin2bn(const unsigned char* bytes, int length, BIGNUM* into) {
  return Forward<&Openssl::BN_bin2bn, BIGNUM*>(nullptr, bytes, length, into);
}
void BN_free(BIGNUM* number) { ForwardVoid<&Openssl::BN_free>(number); }
int BN_is_odd(const BIGNUM* number) { return Forward<&Openssl::BN_is_odd, int>(0, number); }
int BN_is_one(const BIGNUM* number) { return Forward<&Openssl::BN_is_one, int>(0, number); }
int BN_num_bits(const BIGNUM* number) { return Forward<&Openssl::BN_num_bits, int>(0, number); }

void CRYPTO_free(void* pointer, const char* file, int line) {
  ForwardVoid<&Openssl::CRYPTO_free>(pointer, file, line);
}
// Without OpenSSL no two buffers compare equal: a signature check fails closed.
int CRYPTO_memcmp(const void* a, const void* b, size_t length) {
  return Forward<&Openssl::CRYPTO_memcmp, int>(1, a, b, length);
}

void ERR_clear_error(void) { ForwardVoid<&Openssl::ERR_clear_error>(); }
unsigned long ERR_get_error(void) { return Forward<&Openssl::ERR_get_error, unsigned long>(0); }
const char* ERR_reason_error_string(unsigned long error) {
  return creditbot::Ok() ? creditbot::Get().ERR_reason_error_string(error) : creditbot::LoadError();
}

// EVP: HMAC-SHA256 (Slack's request signatures, the sign-in state cookie) and RS256 (Slack's ID tokens).
int EVP_DigestVerify(EVP_MD_CTX* context, const unsigned char* signature, size_t signature_length,
                     const unsigned char* data, size_t data_length) {
  return Forward<&Openssl::EVP_DigestVerify, int>(0, context, signature, signature_length, data, data_length);
}
int EVP_DigestVerifyInit(EVP_MD_CTX* context, EVP_PKEY_CTX** key_context, const EVP_MD* digest,
                         ENGINE* engine, EVP_PKEY* key) {
  return Forward<&Openssl::EVP_DigestVerifyInit, int>(0, context, key_context, digest, engine, key);
}
void EVP_MAC_CTX_free(EVP_MAC_CTX* context) { ForwardVoid<&Openssl::EVP_MAC_CTX_free>(context); }
EVP_MAC_CTX* EVP_MAC_CTX_new(EVP_MAC* mac) {
  return Forward<&Openssl::EVP_MAC_CTX_new, EVP_MAC_CTX*>(nullptr, mac);
}
EVP_MAC* EVP_MAC_fetch(OSSL_LIB_CTX* library_context, const char* algorithm, const char* properties) {
  return Forward<&Openssl::EVP_MAC_fetch, EVP_MAC*>(nullptr, library_context, algorithm, properties);
}
int EVP_MAC_final(EVP_MAC_CTX* context, unsigned char* out, size_t* out_length, size_t out_size) {
  return Forward<&Openssl::EVP_MAC_final, int>(0, context, out, out_length, out_size);
}
int EVP_MAC_init(EVP_MAC_CTX* context, const unsigned char* key, size_t key_length,
                 const OSSL_PARAM params[]) {
  return Forward<&Openssl::EVP_MAC_init, int>(0, context, key, key_length, params);
}
int EVP_MAC_update(EVP_MAC_CTX* context, const unsigned char* data, size_t length) {
  return Forward<&Openssl::EVP_MAC_update, int>(0, context, data, length);
}
unsigned char* EVP_Q_mac(OSSL_LIB_CTX* library_context, const char* name, const char* properties,
                         const char* sub_algorithm, const OSSL_PARAM* params, const void* key,
                         size_t key_length, const unsigned char* data, size_t data_length, unsigned char* out,
                         size_t out_size, size_t* out_length) {
  return Forward<&Openssl::EVP_Q_mac, unsigned char*>(nullptr, library_context, name, properties,
                                                      sub_algorithm, params, key, key_length, data,
                                                      data_length, out, out_size, out_length);
}
void EVP_MD_CTX_free(EVP_MD_CTX* context) { ForwardVoid<&Openssl::EVP_MD_CTX_free>(context); }
EVP_MD_CTX* EVP_MD_CTX_new(void) { return Forward<&Openssl::EVP_MD_CTX_new, EVP_MD_CTX*>(nullptr); }
const EVP_MD* EVP_sha256(void) { return Forward<&Openssl::EVP_sha256, const EVP_MD*>(nullptr); }
void EVP_PKEY_CTX_free(EVP_PKEY_CTX* context) { ForwardVoid<&Openssl::EVP_PKEY_CTX_free>(context); }
EVP_PKEY_CTX* EVP_PKEY_CTX_new_from_name(OSSL_LIB_CTX* library_context, const char* name,
                                         const char* properties) {
  return Forward<&Openssl::EVP_PKEY_CTX_new_from_name, EVP_PKEY_CTX*>(nullptr, library_context, name,
                                                                      properties);
}
void EVP_PKEY_free(EVP_PKEY* key) { ForwardVoid<&Openssl::EVP_PKEY_free>(key); }
int EVP_PKEY_fromdata(EVP_PKEY_CTX* context, EVP_PKEY** key, int selection, OSSL_PARAM params[]) {
  return Forward<&Openssl::EVP_PKEY_fromdata, int>(0, context, key, selection, params);
}
int EVP_PKEY_fromdata_init(EVP_PKEY_CTX* context) {
  return Forward<&Openssl::EVP_PKEY_fromdata_init, int>(0, context);
}

void OSSL_PARAM_BLD_free(OSSL_PARAM_BLD* builder) { ForwardVoid<&Openssl::OSSL_PARAM_BLD_free>(builder); }
OSSL_PARAM_BLD* OSSL_PARAM_BLD_new(void) {
  return Forward<&Openssl::OSSL_PARAM_BLD_new, OSSL_PARAM_BLD*>(nullptr);
}
int OSSL_PARAM_BLD_push_BN(OSSL_PARAM_BLD* builder, const char* key, const BIGNUM* number) {
  return Forward<&Openssl::OSSL_PARAM_BLD_push_BN, int>(0, builder, key, number);
}
OSSL_PARAM* OSSL_PARAM_BLD_to_param(OSSL_PARAM_BLD* builder) {
  return Forward<&Openssl::OSSL_PARAM_BLD_to_param, OSSL_PARAM*>(nullptr, builder);
}
// The two constructors build a value without failing; without OpenSSL they build an end marker.
OSSL_PARAM OSSL_PARAM_construct_end(void) {
  return Forward<&Openssl::OSSL_PARAM_construct_end, OSSL_PARAM>({});
}
OSSL_PARAM OSSL_PARAM_construct_utf8_string(const char* key, char* buffer, size_t size) {
  return Forward<&Openssl::OSSL_PARAM_construct_utf8_string, OSSL_PARAM>({}, key, buffer, size);
}
void OSSL_PARAM_free(OSSL_PARAM* params) { ForwardVoid<&Openssl::OSSL_PARAM_free>(params); }

int RAND_bytes(unsigned char* buffer, int length) {
  return Forward<&Openssl::RAND_bytes, int>(0, buffer, length);
}

int SHA256_Init(SHA256_CTX* context) { return Forward<&Openssl::SHA256_Init, int>(0, context); }
int SHA256_Update(SHA256_CTX* context, const void* data, size_t length) {
  return Forward<&Openssl::SHA256_Update, int>(0, context, data, length);
}
int SHA256_Final(unsigned char* digest, SHA256_CTX* context) {
  return Forward<&Openssl::SHA256_Final, int>(0, digest, context);
}

// SSL: the TLS stream of Slack's Socket Mode websocket (Boost.Asio's ssl::stream and ssl::context).
long SSL_CTX_ctrl(SSL_CTX* context, int command, long number, void* pointer) {
  return Forward<&Openssl::SSL_CTX_ctrl, long>(0, context, command, number, pointer);
}
void SSL_CTX_free(SSL_CTX* context) { ForwardVoid<&Openssl::SSL_CTX_free>(context); }
void* SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX* context) {
  return Forward<&Openssl::SSL_CTX_get_default_passwd_cb_userdata, void*>(nullptr, context);
}
void* SSL_CTX_get_ex_data(const SSL_CTX* context, int index) {
  return Forward<&Openssl::SSL_CTX_get_ex_data, void*>(nullptr, context, index);
}
int SSL_CTX_load_verify_locations(SSL_CTX* context, const char* file, const char* path) {
  return Forward<&Openssl::SSL_CTX_load_verify_locations, int>(0, context, file, path);
}
SSL_CTX* SSL_CTX_new(const SSL_METHOD* method) {
  return Forward<&Openssl::SSL_CTX_new, SSL_CTX*>(nullptr, method);
}
void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX* context, void* user_data) {
  ForwardVoid<&Openssl::SSL_CTX_set_default_passwd_cb_userdata>(context, user_data);
}
int SSL_CTX_set_default_verify_paths(SSL_CTX* context) {
  return Forward<&Openssl::SSL_CTX_set_default_verify_paths, int>(0, context);
}
int SSL_CTX_set_ex_data(SSL_CTX* context, int index, void* data) {
  return Forward<&Openssl::SSL_CTX_set_ex_data, int>(0, context, index, data);
}
uint64_t SSL_CTX_set_options(SSL_CTX* context, uint64_t options) {
  return Forward<&Openssl::SSL_CTX_set_options, uint64_t>(0, context, options);
}
int SSL_accept(SSL* ssl) { return Forward<&Openssl::SSL_accept, int>(-1, ssl); }
int SSL_connect(SSL* ssl) { return Forward<&Openssl::SSL_connect, int>(-1, ssl); }
long SSL_ctrl(SSL* ssl, int command, long number, void* pointer) {
  return Forward<&Openssl::SSL_ctrl, long>(0, ssl, command, number, pointer);
}
void SSL_free(SSL* ssl) { ForwardVoid<&Openssl::SSL_free>(ssl); }
int SSL_get_error(const SSL* ssl, int result) {
  return Forward<&Openssl::SSL_get_error, int>(SSL_ERROR_SSL, ssl, result);
}
void* SSL_get_ex_data(const SSL* ssl, int index) {
  return Forward<&Openssl::SSL_get_ex_data, void*>(nullptr, ssl, index);
}
int SSL_get_ex_data_X509_STORE_CTX_idx(void) {
  return Forward<&Openssl::SSL_get_ex_data_X509_STORE_CTX_idx, int>(-1);
}
int SSL_get_shutdown(const SSL* ssl) { return Forward<&Openssl::SSL_get_shutdown, int>(0, ssl); }
SSL_verify_cb SSL_get_verify_callback(const SSL* ssl) {
  return Forward<&Openssl::SSL_get_verify_callback, SSL_verify_cb>(nullptr, ssl);
}
int SSL_get_verify_mode(const SSL* ssl) { return Forward<&Openssl::SSL_get_verify_mode, int>(0, ssl); }
SSL* SSL_new(SSL_CTX* context) { return Forward<&Openssl::SSL_new, SSL*>(nullptr, context); }
int SSL_read(SSL* ssl, void* buffer, int length) {
  return Forward<&Openssl::SSL_read, int>(-1, ssl, buffer, length);
}
void SSL_set_bio(SSL* ssl, BIO* read_bio, BIO* write_bio) {
  ForwardVoid<&Openssl::SSL_set_bio>(ssl, read_bio, write_bio);
}
int SSL_set_ex_data(SSL* ssl, int index, void* data) {
  return Forward<&Openssl::SSL_set_ex_data, int>(0, ssl, index, data);
}
void SSL_set_verify(SSL* ssl, int mode, SSL_verify_cb callback) {
  ForwardVoid<&Openssl::SSL_set_verify>(ssl, mode, callback);
}
int SSL_shutdown(SSL* ssl) { return Forward<&Openssl::SSL_shutdown, int>(-1, ssl); }
int SSL_write(SSL* ssl, const void* buffer, int length) {
  return Forward<&Openssl::SSL_write, int>(-1, ssl, buffer, length);
}
const SSL_METHOD* TLS_client_method(void) {
  return Forward<&Openssl::TLS_client_method, const SSL_METHOD*>(nullptr);
}
const SSL_METHOD* TLS_method(void) { return Forward<&Openssl::TLS_method, const SSL_METHOD*>(nullptr); }
const SSL_METHOD* TLS_server_method(void) {
  return Forward<&Openssl::TLS_server_method, const SSL_METHOD*>(nullptr);
}

// X509: the server certificate's host name check.
X509* X509_STORE_CTX_get_current_cert(const X509_STORE_CTX* context) {
  return Forward<&Openssl::X509_STORE_CTX_get_current_cert, X509*>(nullptr, context);
}
int X509_STORE_CTX_get_error_depth(const X509_STORE_CTX* context) {
  return Forward<&Openssl::X509_STORE_CTX_get_error_depth, int>(0, context);
}
void* X509_STORE_CTX_get_ex_data(const X509_STORE_CTX* context, int index) {
  return Forward<&Openssl::X509_STORE_CTX_get_ex_data, void*>(nullptr, context, index);
}
int X509_check_host(X509* certificate, const char* name, size_t length, unsigned int flags,
                    char** peer_name) {
  return Forward<&Openssl::X509_check_host, int>(0, certificate, name, length, flags, peer_name);
}
int X509_check_ip_asc(X509* certificate, const char* address, unsigned int flags) {
  return Forward<&Openssl::X509_check_ip_asc, int>(0, certificate, address, flags);
}

}  // extern "C"
