// A test double of a sink plugin: it records every call the lane makes (with the calling
// thread) and can be told to answer retry/reject, throw, sleep, or block until released.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/config/config.hpp"
#include "kamgw/plugin.hpp"
#include "kamgw/sink.hpp"
#include "tests/support/process.hpp"

namespace kamgw::bus::test {

// A batch whose sequence number travels in its one reading's value.
inline ReadingBatch make_batch(std::uint64_t seq, std::string meter = "house") {
    ReadingBatch b;
    b.meter.name = std::move(meter);
    b.meter.serial = "12345678";
    Reading r;
    r.register_id = 0x44;
    r.key = "volume";
    r.value.mantissa = seq;
    r.unit = Unit::cubic_metre;
    b.readings.push_back(r);
    b.requested.push_back(0x44);
    return b;
}

inline std::uint64_t seq_of(const ReadingBatch& b) { return b.readings.at(0).value.mantissa; }

// from, from + 1, …, to - 1: the batches a test expects, in order.
inline std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = from; i < to; ++i) out.push_back(i);
    return out;
}

inline MeterStatus make_status(std::string meter, MeterHealth health, std::string detail = {}) {
    MeterStatus s;
    s.meter.name = std::move(meter);
    s.health = health;
    s.detail = std::move(detail);
    return s;
}

inline config::SinkConfig sink_config(std::string name, std::uint32_t batch_size,
                                      std::optional<std::chrono::milliseconds> flush_interval) {
    config::SinkConfig c;
    c.type = "recording";
    c.name = std::move(name);
    c.batch_size = batch_size;
    c.flush_interval = flush_interval;
    c.retry_initial = std::chrono::milliseconds(10);
    c.retry_max = std::chrono::milliseconds(100);
    return c;
}

// Everything the sink saw; shared with the test because the bus owns the sink.
struct SinkRecord {
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::uint64_t> written;    // sequence numbers acknowledged with ok
    std::vector<std::size_t> write_sizes;  // batches per write() call, every call
    std::vector<std::uint64_t> attempted;  // sequence numbers of every write() call
    std::vector<MeterStatus> statuses;
    std::set<std::thread::id> threads;  // threads any call came from
    int starts = 0, stops = 0, reopens = 0, idles = 0, destroyed = 0;
    bool inside_write = false;
    bool gate_open = true;  // while false, write() blocks

    // Decides the answer of each write() call (0-based call index); ok when unset.
    std::function<WriteResult(std::size_t call, std::span<const ReadingBatch>)> answer;
    std::chrono::milliseconds write_delay{0};
    bool throw_in_start = false;
    int throw_in_first_starts = 0;  // this many start() calls throw, then it starts
    std::function<void(SinkHost&)> on_start;

    void close_gate() {
        std::lock_guard l(mutex);
        gate_open = false;
    }
    void open_gate() {
        {
            std::lock_guard l(mutex);
            gate_open = true;
        }
        changed.notify_all();
    }
    template <typename F>
    auto read(F f) const {
        std::lock_guard l(mutex);
        return f(*this);
    }
    std::size_t written_count() const {
        return read([](const SinkRecord& r) { return r.written.size(); });
    }
    bool wait(std::function<bool(const SinkRecord&)> predicate,
              std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
        return kamgw::test::wait_until([&] { return read(predicate); }, timeout);
    }
};

class RecordingSink final : public Sink {
public:
    explicit RecordingSink(std::shared_ptr<SinkRecord> record) : r_(std::move(record)) {}
    ~RecordingSink() override {
        std::lock_guard l(r_->mutex);
        ++r_->destroyed;
    }

    void start(SinkHost& host) override {
        note([](SinkRecord& r) { ++r.starts; });
        if (r_->on_start) r_->on_start(host);
        if (r_->throw_in_start) throw std::runtime_error("cannot reach the hub");
        if (r_->read([](const SinkRecord& r) { return r.starts; }) <= r_->throw_in_first_starts)
            throw std::runtime_error("hub not up yet");
    }

    WriteResult write(std::span<const ReadingBatch> batches) override {
        std::size_t call = 0;
        std::function<WriteResult(std::size_t, std::span<const ReadingBatch>)> answer;
        std::chrono::milliseconds delay{0};
        {
            std::unique_lock l(r_->mutex);
            r_->threads.insert(std::this_thread::get_id());
            r_->inside_write = true;
            r_->changed.notify_all();
            r_->changed.wait(l, [&] { return r_->gate_open; });
            call = r_->write_sizes.size();
            r_->write_sizes.push_back(batches.size());
            for (const auto& b : batches) r_->attempted.push_back(seq_of(b));
            answer = r_->answer;
            delay = r_->write_delay;
        }
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
        WriteResult result = answer ? answer(call, batches) : WriteResult::ok();  // may throw
        std::lock_guard l(r_->mutex);
        r_->inside_write = false;
        if (result.code == WriteResult::Code::ok)
            for (const auto& b : batches) r_->written.push_back(seq_of(b));
        r_->changed.notify_all();
        return result;
    }

    void status(const MeterStatus& status) override {
        note([&](SinkRecord& r) { r.statuses.push_back(status); });
    }
    void idle() override {
        note([](SinkRecord& r) { ++r.idles; });
    }
    void reopen() override {
        note([](SinkRecord& r) { ++r.reopens; });
    }
    void stop() override {
        note([](SinkRecord& r) { ++r.stops; });
    }

private:
    template <typename F>
    void note(F f) {
        std::lock_guard l(r_->mutex);
        r_->threads.insert(std::this_thread::get_id());
        f(*r_);
        r_->changed.notify_all();
    }
    std::shared_ptr<SinkRecord> r_;
};

inline std::unique_ptr<Sink> recording_sink(const std::shared_ptr<SinkRecord>& record) {
    return std::make_unique<RecordingSink>(record);
}

}  // namespace kamgw::bus::test
