// DashboardData: what the dashboard's pages and API show, read from the state store's ledger (ListLedger and
// CountLedger with a LedgerFilter, which both stores serve from indexes) and from the audit records beside it
// (result.json, decision.json). It owns no store: serve gives it a StateStore instance of its own (not the
// worker's), used under this object's lock, so a page never waits for a calculation and never shares a
// connection with the worker.
//
// Charts: every series comes from the store's chart sums (StateStore::SumLedgerCharts,
// state/ledger_charts.h), which the SQLite store keeps summed per day as entries are recorded and decided: a
// chart over 100,000 entries reads a few thousand sums, never the entries or their audit records. The queue
// and the history read one page (LIMIT/OFFSET on the index of their filter) and count the filter on the same
// index.
//
// Thread-safe: one mutex around the store.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "state/ledger.h"
#include "state/state_store.h"

namespace creditbot {

// Reads the audit file `name` ("result.json", "decision.json") of `execution_id`. kNotFound when absent.
// (A function, not audit/audit_reader.h's AuditReader: the dashboard reads one file at a time.)
using AuditFileReader =
    std::function<absl::StatusOr<std::string>(std::string_view execution_id, std::string_view name)>;

// One page of the queue or the history.
struct LedgerPage {
  std::vector<LedgerEntry> entries;
  int total = 0;  // every entry matching the filter (CountLedger)
};

// The history's filter as the page and the API take it (query parameters since, until — YYYY-MM-DD, until
// inclusive —, status, parent, product, page), checked.
struct HistoryQuery {
  LedgerFilter filter;  // limit and offset set from page and page_size
  int page = 1;
  int page_size = 50;
  std::map<std::string, std::string> params;  // the accepted parameters, for links to other pages
};

// kInvalidArgument naming the parameter and what it accepts.
absl::StatusOr<HistoryQuery> ParseHistoryQuery(const std::map<std::string, std::string>& params,
                                               int page_size = 50);

// One request's page: its entry, the other entries of the same request (recalculations) and the audit.
struct RequestDetail {
  LedgerEntry entry;
  std::vector<LedgerEntry> same_request;  // every entry of entry.request_key, newest first
  std::string result_json;                // "" when the audit record could not be read
  std::string result_error;               // why, when it could not
  std::string decision_json;              // "" when there is none
};

// The charts' data.
struct ChartSeries {
  std::vector<std::string> labels;
  std::map<std::string, std::vector<double>> values;  // series name → one value per label
};
struct ChartData {
  ChartSeries weekly;        // "recommended", "approved" per ISO week (Monday, YYYY-MM-DD)
  ChartSeries by_mcc;        // "credited" per MCC
  ChartSeries by_country;    // "credited" per country (from the audit lines)
  ChartSeries by_mode;       // "credited" per Fraud Guard mode (from the audit mode table)
  ChartSeries reply_hours;   // "entries" per bucket of hours from request to reply
  ChartSeries decide_hours;  // "entries" per bucket of hours from request to decision
  int entries = 0;           // ledger entries counted (superseded ones are left out)
  int no_breakdown = 0;      // credited entries recorded before their country and mode sums were kept
};

class DashboardData {
 public:
  DashboardData(StateStore& state, AuditFileReader read_audit)
      : state_(state), read_audit_(std::move(read_audit)) {}

  // Page `page` (from 1) of the entries awaiting a decision, oldest first, `page_size` a page; total: all
  // awaiting.
  absl::StatusOr<LedgerPage> Queue(int page = 1, int page_size = 50);
  absl::StatusOr<LedgerPage> History(const LedgerFilter& filter);
  // Every entry matching `filter` (its limit and offset ignored), newest first: the CSV export.
  absl::StatusOr<std::vector<LedgerEntry>> All(LedgerFilter filter);
  // kNotFound when there is no entry of that id.
  absl::StatusOr<RequestDetail> Request(std::string_view execution_id);
  absl::StatusOr<ChartData> Charts(LedgerFilter filter);
  // The pause switch as stored (every page shows it); SetPause as StateStore::SetPause.
  absl::StatusOr<PauseState> Pause();
  absl::StatusOr<PauseChange> SetPause(const PauseState& next);

 private:
  StateStore& state_;
  AuditFileReader read_audit_;
  std::mutex mutex_;
};

}  // namespace creditbot
