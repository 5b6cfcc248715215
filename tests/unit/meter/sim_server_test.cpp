// The simulated meter served on a pty (as a serial port) and on TCP, driven by plain POSIX
// clients the way ser2net or a serial transport would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "core/kmp/commands.hpp"
#include "core/kmp/frame.hpp"
#include "core/meter/sim_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace kamgw::meter {
namespace {

using namespace std::chrono_literals;

// Reads until a whole answer frame arrived or the deadline passed.
std::optional<kmp::ParsedFrame> read_answer(int fd, std::chrono::milliseconds timeout, std::size_t* bytes = nullptr) {
    kmp::FrameReceiver rx;
    const auto end = std::chrono::steady_clock::now() + timeout;
    std::size_t total = 0;
    while (std::chrono::steady_clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        std::uint8_t buf[256];
        const auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0) continue;
        total += static_cast<std::size_t>(n);
        std::span<const std::uint8_t> rest(buf, static_cast<std::size_t>(n));
        while (!rest.empty()) {
            kmp::FrameReceiver::Event ev = kmp::FrameReceiver::Event::none;
            rest = rest.subspan(rx.feed(rest, ev));
            if (ev == kmp::FrameReceiver::Event::frame) {
                if (bytes) *bytes = total;
                return rx.result();
            }
        }
    }
    return std::nullopt;
}

void write_all(int fd, const std::vector<std::uint8_t>& bytes) {
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

struct ServerFixture : ::testing::Test {
    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{io.get_executor()};
    std::thread thread;
    void run() {
        thread = std::thread([this] { io.run(); });
    }
    // Stops the io thread; the server may then be stopped and destroyed from this thread.
    void stop_io() {
        work.reset();
        io.stop();
        if (thread.joinable()) thread.join();
    }
    void TearDown() override { stop_io(); }
};

TEST_F(ServerFixture, PtyServesKmpAtTheLineSpeedAndSeesTheLineSettings) {
    kamgw::test::TempDir dir;
    SimOptions opts;
    opts.serial = 55667788;
    opts.faults = kmp::parse_faults("echo,delay=20ms");
    SimServer server(io.get_executor(), opts);
    const auto link = dir / "meter";
    const std::string slave = server.serve_pty(link);
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_EQ(std::filesystem::read_symlink(link).string(), slave);
    run();

    const int fd = ::open(link.c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(fd, 0);
    termios t{};
    ASSERT_EQ(tcgetattr(fd, &t), 0);
    cfmakeraw(&t);
    cfsetispeed(&t, B1200);
    cfsetospeed(&t, B1200);
    t.c_cflag |= CSTOPB;
    ASSERT_EQ(tcsetattr(fd, TCSANOW, &t), 0);

    const auto started = std::chrono::steady_clock::now();
    write_all(fd, kmp::encode_frame(kmp::make_get_serial()));
    std::size_t bytes = 0;
    const auto answer = read_answer(fd, 5s, &bytes);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->error, kmp::FrameError::none);
    EXPECT_EQ(kmp::parse_get_serial(answer->frame), 55667788u);
    EXPECT_GT(bytes, 10u);  // the echo came first
    // 10 answer bytes at 11 bits each at 1200 baud, after the 20 ms delay.
    EXPECT_GE(took, kmp::wire_time(10) + 20ms);

    ASSERT_TRUE(kamgw::test::wait_until([&] { return server.line_seen().baud == 1200; }, 5s));
    EXPECT_EQ(server.line_seen().stop_bits, 2u);
    EXPECT_EQ(server.line_seen().to_string(), "1200 8N2");
    EXPECT_EQ(server.stats().answered, 1u);
    ::close(fd);
    stop_io();
    server.stop();
    EXPECT_FALSE(std::filesystem::is_symlink(link));
}

TEST_F(ServerFixture, StrictLineIgnoresAClientAtTheWrongSpeed) {
    kamgw::test::TempDir dir;
    SimOptions opts;
    opts.pace = false;
    opts.strict_line = true;
    SimServer server(io.get_executor(), opts);
    const auto link = dir / "meter";
    server.serve_pty(link);
    run();
    const int fd = ::open(link.c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(fd, 0);
    termios t{};
    tcgetattr(fd, &t);
    cfmakeraw(&t);
    cfsetispeed(&t, B9600);
    cfsetospeed(&t, B9600);
    t.c_cflag &= ~CSTOPB;
    tcsetattr(fd, TCSANOW, &t);
    write_all(fd, kmp::encode_frame(kmp::make_get_serial()));
    EXPECT_FALSE(read_answer(fd, 500ms));
    EXPECT_EQ(server.line_seen().to_string(), "9600 8N1");
    cfsetispeed(&t, B1200);
    cfsetospeed(&t, B1200);
    t.c_cflag |= CSTOPB;
    tcsetattr(fd, TCSANOW, &t);
    write_all(fd, kmp::encode_frame(kmp::make_get_serial()));
    EXPECT_TRUE(read_answer(fd, 5s));
    ::close(fd);
    stop_io();
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

TEST_F(ServerFixture, TcpServesOneClientAtATime) {
    SimOptions opts;
    opts.pace = false;
    opts.kind = kmp::ModelKind::multical603;
    SimServer server(io.get_executor(), opts);
    const std::uint16_t port = server.listen_tcp("127.0.0.1", 0);
    ASSERT_NE(port, 0);
    run();
    const int first = connect_to(port);
    ASSERT_GE(first, 0);
    write_all(first, kmp::encode_frame(kmp::make_get_register(std::vector<std::uint16_t>{60, 86})));
    const auto answer = read_answer(first, 5s);
    ASSERT_TRUE(answer);
    const auto values = kmp::parse_get_register(answer->frame).values;
    ASSERT_EQ(values.size(), 2u);
    EXPECT_EQ(values[0].unit_code, 8);  // GJ on the MULTICAL 603

    // A second client is refused while the first is connected: its connection closes.
    const int second = connect_to(port);
    ASSERT_GE(second, 0);
    pollfd p{second, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 5000), 1);
    std::uint8_t b;
    EXPECT_EQ(::read(second, &b, 1), 0);
    ::close(second);

    // After the first leaves, the next one is served.
    ::close(first);
    ASSERT_TRUE(kamgw::test::wait_until(
        [&] {
            const int third = connect_to(port);
            if (third < 0) return false;
            write_all(third, kmp::encode_frame(kmp::make_get_type()));
            const bool ok = read_answer(third, 1s).has_value();
            ::close(third);
            return ok;
        },
        10s));
    EXPECT_GE(server.clients(), 2u);
    stop_io();
}

}  // namespace
}  // namespace kamgw::meter
