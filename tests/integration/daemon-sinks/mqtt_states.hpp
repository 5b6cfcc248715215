// Matching the mqtt-ha sink's state messages against the CSV record of the polls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/integration/daemon-sinks/mqtt_watcher.hpp"
#include "tests/integration/daemon-sinks/sink_daemon.hpp"

namespace kamgw::test::daemon_sinks {

// The literal JSON text of `key`'s value in a flat state object, exactly as the sink wrote it
// (a parser would turn 110.740 into 110.74 and hide a lost digit).
std::string value_text(const std::string& payload, const std::string& key);
// The state's read_at as Unix seconds; -1 when absent.
std::int64_t read_at(const std::string& payload);
// A state message is this poll when every value is textually the CSV's and its read_at (the
// end of the poll) is at or just after the reading time.
bool is_state_of(const std::string& payload, const CsvPoll& poll);
// Pairs every poll with its own distinct state message (one-to-one, in order); returns how
// many of `polls` found theirs, and lists the ones that did not.
std::size_t count_delivered(const std::vector<CsvPoll>& polls, const std::vector<std::string>& states,
                            std::string* missing = nullptr);
// Distinct state payloads seen by any of the watchers (a state republished after a reconnect
// is the same text).
std::vector<std::string> distinct_states(const std::vector<const MqttWatcher*>& watchers, const std::string& topic);

}  // namespace kamgw::test::daemon_sinks
