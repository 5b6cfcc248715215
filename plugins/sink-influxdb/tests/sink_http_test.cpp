// The sink against an in-process HTTP server that checks what InfluxDB would check and
// answers like InfluxDB does, one scripted answer per request.
#include <httplib.h>

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "plugins/sink-influxdb/influxdb_sink.hpp"
#include "plugins/sink-influxdb/tests/test_batches.hpp"

namespace kamgw::influxdb {
namespace {

using namespace test;

struct Received {
    std::string path, org, bucket, db, precision, authorization, content_encoding, body;
};

struct Answer {
    int status = 204;
    std::string body;
    std::string retry_after;
};

class FakeInflux {
public:
    FakeInflux() {
        auto handler = [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            received_.push_back({req.path, req.get_param_value("org"), req.get_param_value("bucket"),
                                 req.get_param_value("db"), req.get_param_value("precision"),
                                 req.get_header_value("Authorization"), req.get_header_value("Content-Encoding"),
                                 req.body});
            Answer a = script_.empty() ? Answer{} : script_.front();
            if (!script_.empty()) script_.pop_front();
            res.status = a.status;
            if (!a.retry_after.empty()) res.set_header("Retry-After", a.retry_after);
            if (!a.body.empty()) res.set_content(a.body, "application/json");
        };
        server_.Post("/api/v2/write", handler);
        server_.Post("/write", handler);
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~FakeInflux() { stop(); }
    void stop() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    void answer(Answer a) {
        std::lock_guard lock(mutex_);
        script_.push_back(std::move(a));
    }
    std::vector<Received> received() {
        std::lock_guard lock(mutex_);
        return received_;
    }
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Received> received_;
    std::deque<Answer> script_;
};

constexpr const char* token = "tok-3f9a-very-secret";

ConfigTable v2_config(const std::string& url) {
    ConfigTable t;
    t.set("url", url);
    t.set("org", std::string("home"));
    t.set("bucket", std::string("heat"));
    t.set("token", std::string(token));
    t.set("precision", std::string("s"));
    t.set("timeout", std::chrono::milliseconds(5000));
    return t;
}

struct Fixture {
    explicit Fixture(ConfigTable t) : host(std::move(t)) { sink.start(host); }
    ~Fixture() { sink.stop(); }
    TestHost host;
    InfluxdbSink sink;
};

std::vector<ReadingBatch> two_polls() {
    return {mc403_poll("house", "12345678", at_seconds(1700000000), 0),
            mc403_poll("house", "12345678", at_seconds(1700003600), 1)};
}

TEST(InfluxSinkHttp, V2WritesTheFormattedBodyWithTokenOrgBucketAndPrecision) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    const auto polls = two_polls();
    const WriteResult r = f.sink.write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::ok) << r.message;
    const auto got = server.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].path, "/api/v2/write");
    EXPECT_EQ(got[0].org, "home");
    EXPECT_EQ(got[0].bucket, "heat");
    EXPECT_EQ(got[0].precision, "s");
    EXPECT_EQ(got[0].authorization, std::string("Token ") + token);
    EXPECT_EQ(got[0].body, format_lines(polls, {}).text);
    EXPECT_NE(got[0].body.find("key=heat_energy,meter=house,model=MULTICAL\\ 403,serial=12345678,unit=GJ value=1917.57 "
                               "1700000000\n"),
              std::string::npos);
}

TEST(InfluxSinkHttp, Unauthorized401IsARetryNamingTheTokenSettingButNeverTheToken) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer({401, std::string(R"({"code":"unauthorized","message":"unauthorized access for )") + token + "\"}"});
    const WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("`token`"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("401"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find(token), std::string::npos) << r.message;
    EXPECT_EQ(f.host.logger.joined().find(token), std::string::npos);
}

TEST(InfluxSinkHttp, BadLine400DropsThatPointAndWritesTheRest) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer(
        {400,
         R"({"code":"invalid","message":"failed to parse line protocol: errors encountered on line(s):\nline 2: invalid number"})"});
    const auto polls = two_polls();
    const WriteResult r = f.sink.write(polls);
    EXPECT_EQ(r.code, WriteResult::Code::ok) << r.message;
    const auto got = server.received();
    ASSERT_EQ(got.size(), 2u);
    const LinePayload sent = format_lines(polls, {});
    const std::size_t drop[] = {1};
    EXPECT_EQ(got[1].body, without_lines(sent, drop).text);
    EXPECT_EQ(got[1].body.find(sent.line(1)), std::string::npos);
    EXPECT_NE(f.host.logger.joined().find(std::string(sent.line(1))), std::string::npos) << f.host.logger.joined();
}

TEST(InfluxSinkHttp, A400ThatNamesNoLineRejectsTheBatches) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer({400, R"({"code":"invalid","message":"field type conflict"})"});
    const WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::reject);
    EXPECT_NE(r.message.find("field type conflict"), std::string::npos);
    EXPECT_EQ(server.received().size(), 1u);
}

TEST(InfluxSinkHttp, ServiceUnavailable503And429AreRetries) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer({503, R"({"message":"shutting down"})", "30"});
    server.answer({429, R"({"message":"too many requests"})"});
    WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("503"), std::string::npos);
    EXPECT_NE(r.message.find("after 30"), std::string::npos) << r.message;
    r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("429"), std::string::npos);
    r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::ok);
    EXPECT_NE(f.host.logger.joined().find("accepts writes again after 2"), std::string::npos) << f.host.logger.joined();
}

TEST(InfluxSinkHttp, V2AgainstAServerWithoutTheV2EndpointSaysToUseV1) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer({404, "404 page not found\n"});
    const WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("api = \"v1\""), std::string::npos) << r.message;
}

TEST(InfluxSinkHttp, V1UsesBasicAuthAndExplainsAMissingDatabase) {
    FakeInflux server;
    ConfigTable t;
    t.set("url", server.url());
    t.set("database", std::string("kamstrup"));
    t.set("username", std::string("writer"));
    t.set("password", std::string("pw-5521"));
    t.set("precision", std::string("ms"));
    Fixture f(std::move(t));
    server.answer({404, R"({"error":"database not found: \"kamstrup\""})"});
    const WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("CREATE DATABASE"), std::string::npos) << r.message;
    const auto got = server.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].path, "/write");
    EXPECT_EQ(got[0].db, "kamstrup");
    EXPECT_EQ(got[0].precision, "ms");
    EXPECT_EQ(got[0].authorization, "Basic d3JpdGVyOnB3LTU1MjE=");  // base64("writer:pw-5521")
    EXPECT_TRUE(got[0].body.ends_with(" 1700003600000\n"));
}

TEST(InfluxSinkHttp, AnUnreachableServerIsARetry) {
    auto server = std::make_unique<FakeInflux>();
    const std::string url = server->url();
    server.reset();  // nothing listens there any more
    Fixture f(v2_config(url));
    const WriteResult r = f.sink.write(two_polls());
    EXPECT_EQ(r.code, WriteResult::Code::retry);
    EXPECT_NE(r.message.find("cannot reach"), std::string::npos) << r.message;
}

TEST(InfluxSinkHttp, GzipBodiesArriveIntact) {
    FakeInflux server;
    ConfigTable t = v2_config(server.url());
    t.set("gzip", true);
    Fixture f(std::move(t));
    const auto polls = two_polls();
    ASSERT_EQ(f.sink.write(polls).code, WriteResult::Code::ok);
    const auto got = server.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].content_encoding, "gzip");
    EXPECT_EQ(got[0].body, format_lines(polls, {}).text);  // the server inflated it
}

TEST(InfluxSinkHttp, LargeWritesAreSplitIntoRequestsOfAtMostMaxLines) {
    FakeInflux server;
    ConfigTable t = v2_config(server.url());
    t.set("max_lines_per_request", std::int64_t{5});
    Fixture f(std::move(t));
    const auto polls = two_polls();  // 14 points
    ASSERT_EQ(f.sink.write(polls).code, WriteResult::Code::ok);
    const auto got = server.received();
    ASSERT_EQ(got.size(), 3u);
    std::string all;
    for (const auto& g : got) all += g.body;
    EXPECT_EQ(all, format_lines(polls, {}).text);
    EXPECT_EQ(std::count(got[2].body.begin(), got[2].body.end(), '\n'), 4);
}

TEST(InfluxSinkHttp, NothingToWriteSendsNothing) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    auto polls = two_polls();
    for (auto& b : polls)
        for (auto& r : b.readings) r.quality = Quality::stale;
    EXPECT_EQ(f.sink.write(polls).code, WriteResult::Code::ok);
    EXPECT_TRUE(server.received().empty());
}

}  // namespace
}  // namespace kamgw::influxdb

namespace kamgw::influxdb {
namespace {

TEST(InfluxSinkHttp, TooLarge413IsSentInHalves) {
    FakeInflux server;
    Fixture f(v2_config(server.url()));
    server.answer({413, R"({"message":"request too large"})"});
    const auto polls = two_polls();  // 14 points: refused whole, then 7 + 7 accepted
    ASSERT_EQ(f.sink.write(polls).code, WriteResult::Code::ok);
    const auto got = server.received();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[1].body + got[2].body, format_lines(polls, {}).text);
    EXPECT_EQ(std::count(got[1].body.begin(), got[1].body.end(), '\n'), 7);
}

}  // namespace
}  // namespace kamgw::influxdb
