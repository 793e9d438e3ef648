// Reads the MCC/MNC table that refines the synthetic warehouse's networks (see mcc_table.h).
#include "synth/mcc_table.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"

namespace creditbot::synth {
namespace {

// Splits one CSV line (RFC 4180 quoting, no embedded newlines in this table).
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

absl::Status ApplyMccTable(const std::string& path, std::vector<Country>& countries) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string content, ReadFileToString(path));
  std::istringstream in(content);
  std::string line;
  if (!std::getline(in, line))
    return absl::InvalidArgumentError(absl::StrCat("MCC table ", path, " is empty"));
  const std::vector<std::string> header = SplitCsvLine(line);
  auto column = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (absl::StripAsciiWhitespace(header[i]) == absl::string_view(name.data(), name.size())) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  const int mcc_col = column("mcc"), mnc_col = column("mnc"), iso_col = column("iso_code"),
            status_col = column("status");
  if (mcc_col < 0 || mnc_col < 0 || iso_col < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("MCC table ", path, " lacks a column mcc, mnc or iso_code"));
  }
  std::map<std::pair<std::string, std::string>, std::set<std::string>> networks;  // (mcc, iso) → MNCs
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::vector<std::string> fields = SplitCsvLine(line);
    const std::size_t needed =
        static_cast<std::size_t>(std::max({mcc_col, mnc_col, iso_col, status_col})) + 1;
    if (fields.size() < needed) {
      return absl::InvalidArgumentError(absl::StrCat("MCC table ", path, " line ", line_number, " has ",
                                                     fields.size(), " fields, expected at least ", needed));
    }
    const std::string mcc(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(mcc_col)]));
    const std::string mnc(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(mnc_col)]));
    const std::string iso(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(iso_col)]));
    if (status_col >= 0 && fields[static_cast<std::size_t>(status_col)] != "Operational") continue;
    if (mnc.empty() || mnc.size() > 3 || !std::all_of(mnc.begin(), mnc.end(), absl::ascii_isdigit)) continue;
    networks[{mcc, iso}].insert(mnc);
  }
  for (Country& country : countries) {
    auto found = networks.find({country.mcc, country.iso});
    if (found != networks.end() && !found->second.empty()) {
      country.mncs.assign(found->second.begin(), found->second.end());
    }
  }
  return absl::OkStatus();
}

}  // namespace creditbot::synth
