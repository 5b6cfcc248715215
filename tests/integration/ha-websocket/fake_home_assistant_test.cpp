// The fake Home Assistant answers like the real one documents: checked message by message.
#include <gtest/gtest.h>

#include "tests/fixtures/fake-home-assistant/fake_ha_protocol.hpp"

namespace {

using namespace kamgw::test::fake_ha;
using nlohmann::json;

json import_message(int id, const std::string& statistic_id, const std::string& source, const std::string& start,
                    bool new_keys = true) {
    json meta = {{"statistic_id", statistic_id},
                 {"source", source},
                 {"name", "x"},
                 {"unit_of_measurement", "GJ"},
                 {"has_sum", true}};
    if (new_keys) {
        meta["mean_type"] = 0;
        meta["unit_class"] = "energy";
    } else {
        meta["has_mean"] = false;
    }
    return {{"id", id},
            {"type", "recorder/import_statistics"},
            {"metadata", meta},
            {"stats", json::array({{{"start", start}, {"state", 1.0}, {"sum", 0.0}}})}};
}

// statistics_during_period of kamstrup:x's hours from 2024-05-01, these columns only.
json during_period(const std::vector<std::string>& types) {
    return {{"id", 1},
            {"type", "recorder/statistics_during_period"},
            {"start_time", "2024-05-01T00:00:00+00:00"},
            {"statistic_ids", {"kamstrup:x"}},
            {"period", "hour"},
            {"types", types}};
}

std::string code_of(const std::vector<json>& answers) {
    return answers.at(0).contains("error") ? answers.at(0)["error"]["code"].get<std::string>() : "";
}
std::string message_of(const std::vector<json>& answers) {
    return answers.at(0).contains("error") ? answers.at(0)["error"]["message"].get<std::string>() : "";
}

TEST(FakeHomeAssistant, AuthInvalidForAWrongToken) {
    Data d;
    bool ok = true;
    EXPECT_EQ(auth_required(d)["type"], "auth_required");
    EXPECT_EQ(auth_answer(d, {{"type", "auth"}, {"access_token", "nope"}}, ok)["type"], "auth_invalid");
    EXPECT_FALSE(ok);
    EXPECT_EQ(auth_answer(d, {{"type", "auth"}, {"access_token", "good-token"}}, ok)["type"], "auth_ok");
    EXPECT_TRUE(ok);
}

TEST(FakeHomeAssistant, IdsMustIncrease) {
    Data d;
    Peer p;
    EXPECT_EQ(handle_command(d, p, {{"id", 5}, {"type", "ping"}}).at(0)["type"], "pong");
    EXPECT_EQ(code_of(handle_command(d, p, {{"id", 5}, {"type", "ping"}})), "id_reuse");
    EXPECT_EQ(code_of(handle_command(d, p, {{"id", 4}, {"type", "get_config"}})), "id_reuse");
    EXPECT_EQ(handle_command(d, p, {{"id", 6}, {"type", "get_config"}}).at(0)["result"]["state"], "RUNNING");
    EXPECT_EQ(code_of(handle_command(d, p, {{"id", 7}, {"type", "no/such"}})), "unknown_command");
}

TEST(FakeHomeAssistant, MetadataKeysFollowTheVersion) {
    Data d;
    Peer p;
    d.settings.version = "2024.6.0";
    const auto refused =
        handle_command(d, p, import_message(1, "kamstrup:1_heat", "kamstrup", "2024-05-01T09:00:00+00:00"));
    EXPECT_EQ(code_of(refused), "invalid_format");
    EXPECT_NE(message_of(refused).find("extra keys not allowed @ data['metadata']['mean_type']"), std::string::npos);
    EXPECT_EQ(code_of(handle_command(
                  d, p, import_message(2, "kamstrup:1_heat", "kamstrup", "2024-05-01T09:00:00+00:00", false))),
              "");
    d.settings.version = "2025.11.0";
    EXPECT_EQ(
        code_of(handle_command(d, p, import_message(3, "kamstrup:1_heat", "kamstrup", "2024-05-01T09:00:00+00:00"))),
        "");
}

TEST(FakeHomeAssistant, TimestampsMustBeOnTheHour) {
    Data d;
    Peer p;
    const auto off =
        handle_command(d, p, import_message(1, "kamstrup:1_heat", "kamstrup", "2024-05-01T09:30:00+00:00"));
    EXPECT_EQ(code_of(off), "home_assistant_error");
    EXPECT_EQ(message_of(off).rfind("Invalid timestamp", 0), 0u);
    // +01:00 at 10:00 is 09:00 UTC: on the hour.
    EXPECT_EQ(
        code_of(handle_command(d, p, import_message(2, "kamstrup:1_heat", "kamstrup", "2024-05-01T10:00:00+01:00"))),
        "");
    EXPECT_EQ(message_of(handle_command(d, p, import_message(3, "kamstrup:1_heat", "kamstrup", "2024-05-01T10:00:00"))),
              "Naive timestamp");
    EXPECT_EQ(d.statistics["kamstrup:1_heat"].count(1714554000), 1u);
}

TEST(FakeHomeAssistant, StatisticIdAndSourceRules) {
    Data d;
    Peer p;
    int id = 0;
    for (const char* bad : {"kamstrup:_x", "kamstrup:x_", "_kamstrup:x", "kamstrup_:x", "kam__strup:x", "kamstrup:a__b",
                            "Kamstrup:x", "kamstrup-x", "kamstrup:x-y"})
        EXPECT_EQ(message_of(handle_command(d, p, import_message(++id, bad, "kamstrup", "2024-05-01T09:00:00Z"))),
                  "Invalid statistic_id")
            << bad;
    EXPECT_EQ(message_of(handle_command(d, p, import_message(++id, "kamstrup:x", "other", "2024-05-01T09:00:00Z"))),
              "Invalid source");
    d.settings.version = "2022.10.5";
    EXPECT_EQ(code_of(handle_command(d, p, import_message(++id, "kamstrup:x", "other", "2024-05-01T09:00:00Z", false))),
              "unknown_error");
}

TEST(FakeHomeAssistant, RecorderAndAdminGates) {
    Data d;
    Peer p;
    d.settings.admin = false;
    EXPECT_EQ(code_of(handle_command(d, p, import_message(1, "kamstrup:x", "kamstrup", "2024-05-01T09:00:00Z"))),
              "unauthorized");
    d.settings.recorder = false;
    EXPECT_EQ(code_of(handle_command(d, p, {{"id", 2}, {"type", "recorder/statistics_during_period"}})),
              "unknown_command");
}

TEST(FakeHomeAssistant, StatisticsDuringPeriodAnswersInTheVersionsTimeFormat) {
    Data d;
    Peer p;
    d.statistics["kamstrup:x"][1714554000] = {1714554000, 5.0, 1.5};
    const json ask = during_period({"sum", "state"});
    const auto modern = handle_command(d, p, ask);
    EXPECT_EQ(modern.at(0)["result"]["kamstrup:x"][0]["start"], 1714554000000LL);
    EXPECT_EQ(modern.at(0)["result"]["kamstrup:x"][0]["sum"], 1.5);
    d.settings.version = "2022.10.5";
    Peer q;
    json old_ask = ask;
    old_ask.erase("types");
    const auto old = handle_command(d, q, old_ask).at(0)["result"]["kamstrup:x"][0];
    EXPECT_EQ(old["start"], "2024-05-01T09:00:00+00:00");
    EXPECT_EQ(old["statistic_id"], "kamstrup:x") << "repeated per row before 2022.12";
    EXPECT_TRUE(old["mean"].is_null()) << "every column, null when empty";
    EXPECT_EQ(old["sum"], 1.5);
}

// recorder/websocket_api.py: `types` arrived in 2022.12 (core PR #82131); before, voluptuous
// refuses it as an extra key, which is what Home Assistant 2022.10.5 answered the sink.
TEST(FakeHomeAssistant, StatisticTypesAreRefusedBefore2022_12) {
    Data d;
    d.statistics["kamstrup:x"][1714554000] = {1714554000, 5.0, 1.5};
    const json ask = during_period({"sum", "state"});
    for (const char* version : {"2022.10.5", "2022.11.5"}) {
        d.settings.version = version;
        Peer p;
        const auto refused = handle_command(d, p, ask);
        EXPECT_EQ(code_of(refused), "invalid_format") << version;
        EXPECT_EQ(message_of(refused), "extra keys not allowed @ data['types']") << version;
    }
    d.settings.version = "2022.12.0";
    Peer p;
    const auto accepted = handle_command(d, p, ask);
    EXPECT_EQ(code_of(accepted), "");
    EXPECT_EQ(accepted.at(0)["result"]["kamstrup:x"][0]["start"], 1714554000000LL) << "epoch ms from 2022.12";
    EXPECT_FALSE(accepted.at(0)["result"]["kamstrup:x"][0].contains("statistic_id"));
}

TEST(FakeHomeAssistant, TheChangeColumnExistsFrom2023_6) {
    Data d;
    const json ask = during_period({"change"});
    d.settings.version = "2023.5.4";
    Peer p;
    EXPECT_EQ(code_of(handle_command(d, p, ask)), "invalid_format");
    d.settings.version = "2023.6.0";
    Peer q;
    EXPECT_EQ(code_of(handle_command(d, q, ask)), "");
}

// ws_import_statistics: mean_type from 2025.4 (beside has_mean), unit_class from 2025.11.
TEST(FakeHomeAssistant, MeanTypeFrom2025_4AndUnitClassFrom2025_11) {
    Data d;
    Peer p;
    int id = 0;
    auto with = [&](bool has_mean, bool mean_type, bool unit_class) {
        json m = import_message(++id, "kamstrup:1_heat", "kamstrup", "2024-05-01T09:00:00+00:00", false);
        if (!has_mean) m["metadata"].erase("has_mean");
        if (mean_type) m["metadata"]["mean_type"] = 0;
        if (unit_class) m["metadata"]["unit_class"] = "energy";
        return handle_command(d, p, m);
    };
    d.settings.version = "2025.3.4";
    EXPECT_NE(message_of(with(true, true, false)).find("['mean_type']"), std::string::npos);
    d.settings.version = "2025.4.0";
    EXPECT_EQ(code_of(with(true, true, false)), "");
    EXPECT_NE(message_of(with(true, true, true)).find("['unit_class']"), std::string::npos);
    EXPECT_NE(message_of(with(false, true, false)).find("['has_mean']"), std::string::npos) << "still required";
    d.settings.version = "2025.11.0";
    EXPECT_EQ(code_of(with(false, true, true)), "");
}

TEST(FakeHomeAssistant, RestStatesAnswers) {
    Data d;
    const std::string body = R"({"state":"1.5","attributes":{}})";
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer wrong", body).status, 401);
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer good-token", body).status, 201);
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer good-token", body).status, 200);
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer good-token", "{nope").status, 400);
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer good-token", "{}").body,
              R"({"message":"No state specified."})");
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/Sensor.A", "Bearer good-token", body).status, 400);
    d.settings.admin = false;
    EXPECT_EQ(handle_rest(d, "POST", "/api/states/sensor.a", "Bearer good-token", body).status, 401);
}

}  // namespace
