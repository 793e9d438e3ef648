// SplitSchema: splits the warehouse schema script (sql/schema/warehouse.sql) into its statements and tells
// the index statements apart, so the synthetic warehouse generator can build the indexes after loading the
// data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace creditbot::synth {

struct SchemaScript {
  std::vector<std::string> tables;   // every statement but the indexes, in script order
  std::vector<std::string> indexes;  // CREATE [UNIQUE] INDEX statements, in script order
};

// sqlite3_complete decides where a statement ends; comments-only remainders are dropped. Never fails.
SchemaScript SplitSchema(std::string_view script);

}  // namespace creditbot::synth
