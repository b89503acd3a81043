// ConnectionRegistry (server/src, internal): which connection makes room
// for a new one, and when a new one is refused.
#include "connection_registry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace qledger::server {
namespace {

struct Closed {
  std::vector<int> which;
  ConnectionRegistry::Closer For(int n) {
    return [this, n] { which.push_back(n); };
  }
};

void Tick() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

TEST(ConnectionRegistryTest, APeerAtItsBoundDisplacesItsOwnLongestIdleConnection) {
  ConnectionRegistry r(100, 2);
  Closed closed;
  auto a = r.Admit("10.0.0.1", closed.For(1));
  Tick();
  auto other = r.Admit("10.0.0.2", closed.For(9));
  Tick();
  auto b = r.Admit("10.0.0.1", closed.For(2));
  ASSERT_TRUE(a.id && b.id && other.id);
  Tick();
  auto c = r.Admit("10.0.0.1", closed.For(3));
  ASSERT_TRUE(c.id);
  EXPECT_EQ(c.displaced, 1);
  EXPECT_EQ(closed.which, std::vector<int>{1}) << "not the peer's longest idle connection";
  EXPECT_EQ(r.open(), 3);
}

TEST(ConnectionRegistryTest, BusyConnectionsAreNeverDisplacedAndThenTheNewOneIsRefused) {
  ConnectionRegistry r(2, 10);
  Closed closed;
  auto a = r.Admit("p", closed.For(1));
  auto b = r.Admit("q", closed.For(2));
  r.MarkBusy(*a.id, true);
  r.MarkBusy(*b.id, true);
  auto c = r.Admit("r", closed.For(3));
  EXPECT_FALSE(c.id) << "admitted beyond the bound with every connection busy";
  EXPECT_TRUE(closed.which.empty());
  // Once one is idle again, it makes room.
  r.MarkBusy(*b.id, false);
  auto d = r.Admit("r", closed.For(4));
  EXPECT_TRUE(d.id);
  EXPECT_EQ(closed.which, std::vector<int>{2});
}

TEST(ConnectionRegistryTest, RemovingADisplacedConnectionIsHarmless) {
  ConnectionRegistry r(1, 1);
  Closed closed;
  auto a = r.Admit("p", closed.For(1));
  auto b = r.Admit("p", closed.For(2));
  ASSERT_TRUE(b.id);
  r.Remove(*a.id);  // its session ends after being displaced
  EXPECT_EQ(r.open(), 1);
  r.Remove(*b.id);
  EXPECT_EQ(r.open(), 0);
}

}  // namespace
}  // namespace qledger::server
