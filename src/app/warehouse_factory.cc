// Choosing and opening the warehouse.
#include "app/warehouse_factory.h"

#include <malloc.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "app/config.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "net/instrumented_transport.h"
#include "synth/synthetic_warehouse.h"
#include "warehouse/athena_warehouse.h"
#include "warehouse/sqlite_warehouse.h"
#include "warehouse/trino_warehouse.h"

namespace creditbot {

namespace {

absl::Status Named(std::string_view setting, const absl::Status& status) {
  return {status.code(), absl::StrCat(ToAbsl(setting), ": ", status.message())};
}

}  // namespace

bool IsEmbeddedDefaultWarehouse(const Config& config) {
  return config.warehouse_url == "sqlite:" + config.work_dir + "/warehouse.db";
}

absl::StatusOr<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url, std::string_view setting,
                                                         bool create_if_missing, const TrinoSettings& trino,
                                                         const Environment& env) {
  if (url.starts_with("trino://") || url.starts_with("presto://")) {
    absl::StatusOr<TrinoOptions> options = ParseTrinoUrl(url);
    if (!options.ok()) return Named(setting, options.status());
    options->password = trino.password;
    options->bearer_token = trino.bearer_token;
    options->query_timeout = trino.query_timeout;
    options->session_properties = trino.session;
    HttpTransportOptions http;
    http.ca_bundle = trino.ca_bundle;
    const std::string base_url = options->base_url;
    absl::StatusOr<std::unique_ptr<Warehouse>> warehouse = MakeTrinoWarehouse(
        *std::move(options), MakeInstrumentedTransport(env.NewHttpTransport(http), "trino"), env.clock(),
        env.sleeper());
    if (!warehouse.ok()) return Named(setting, warehouse.status());
    LogInfo("using the Trino/Presto warehouse", {{"server", base_url}});
    return warehouse;
  }
  if (url.starts_with("athena://")) {
    absl::StatusOr<AthenaOptions> options = ParseAthenaUrl(url);
    if (!options.ok()) return Named(setting, options.status());
    options->query_timeout = trino.query_timeout;  // the one warehouse query timeout setting
    // The region, endpoint and credential chain every AWS client of the process uses.
    absl::StatusOr<AwsConfig> aws = env.Aws();
    absl::StatusOr<AthenaClientOptions> client =
        aws.ok() ? AthenaClient::OptionsFromConfig(*aws) : absl::StatusOr<AthenaClientOptions>(aws.status());
    if (!client.ok()) return Named(setting, client.status());
    absl::StatusOr<AwsCredentialsProvider*> credentials = env.AwsCredentials();
    if (!credentials.ok()) return Named(setting, credentials.status());
    const std::string work_group = options->work_group;
    absl::StatusOr<std::unique_ptr<Warehouse>> warehouse = MakeAthenaWarehouse(
        *std::move(options), *client, MakeInstrumentedTransport(env.NewHttpTransport(), "athena"),
        **credentials, env.clock(), env.sleeper());
    if (!warehouse.ok()) return Named(setting, warehouse.status());
    LogInfo("using the Athena warehouse", {{"workgroup", work_group}, {"endpoint", client->endpoint.url}});
    return warehouse;
  }
  if (!url.starts_with("sqlite:")) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(setting), "='", ToAbsl(url), "': expected ",
                                                   ToAbsl(ExpectedForm(SettingType::kWarehouseUrl))));
  }
  CREDITBOT_ASSIGN_OR_RETURN(std::string path, SqlitePathFromUrl(url, setting));
  std::error_code ec;
  if (create_if_missing && !std::filesystem::exists(path, ec)) {
    // A fresh home: the folder may not exist yet (no other part had to create it, e.g. with state in S3).
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return absl::PermissionDeniedError(absl::StrCat(ToAbsl(setting), ": cannot create the folder ",
                                                        parent.string(), ": ", ec.message()));
      }
    }
    LogInfo("creating the synthetic warehouse (first run)", {{"path", path}});
    CREDITBOT_RETURN_IF_ERROR(GenerateSyntheticWarehouse(path, SynthOptions{}));
    // Generating takes ~20 MB of heap that glibc keeps after it is freed; hand it back, or a `serve`
    // started on a fresh home idles at ~38 MB instead of ~20 MB (issue 7, docs/BENCHMARKS.md).
    malloc_trim(0);
  }
  absl::StatusOr<std::unique_ptr<SqliteWarehouse>> warehouse = SqliteWarehouse::Open(path);
  if (!warehouse.ok()) return Named(setting, warehouse.status());
  return std::unique_ptr<Warehouse>(std::move(warehouse).value());
}

}  // namespace creditbot
