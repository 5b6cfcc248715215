// The ha-websocket sink: Home Assistant's own websocket API for control and long-term
// statistics, its REST API for live states.
//
// write() runs on the lane thread. It records the batches (the hourly journals in the state
// folder, the latest state of each entity, the events), wakes the session on the sink's own
// thread, and answers ok only once Home Assistant accepted them; while Home Assistant is away
// it answers retry, so the core keeps the batches, counts the retries and /health tells. A
// batch handed over again is recorded once (by its batch_id()).
#pragma once

#include <memory>

#include "kamgw/sink.hpp"
#include "plugins/sink-ha-websocket/sink_status.hpp"

namespace kamgw::ha_websocket {

class HaWebsocketSink final : public Sink {
public:
    // `now` decides which hours have ended and where the backfill window starts; tests pass
    // a clock they control. The default is the system clock.
    explicit HaWebsocketSink(std::function<TimePoint()> now = {});
    ~HaWebsocketSink() override;

    void start(SinkHost& host) override;
    WriteResult write(std::span<const ReadingBatch> batches) override;
    void idle() override;
    void reopen() override;
    void stop() override;

    // Thread-safe snapshot of the link's health and counters.
    [[nodiscard]] SinkStatus status() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kamgw::ha_websocket
