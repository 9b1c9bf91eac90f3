// Proves portcheck.c: the PID and name of the process holding a port are found through /proc
// (US4: port in use => message with port, PID, "stop that process or set PORT").
#include "servers/common/portcheck.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace {

// Listens on an ephemeral loopback port (IPv4 or IPv6); returns the fd and sets *port.
int Listen(int family, int *port) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (family == AF_INET) {
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) return close(fd), -1;
    socklen_t len = sizeof a;
    getsockname(fd, (sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
  } else {
    sockaddr_in6 a = {};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (bind(fd, (sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) return close(fd), -1;
    socklen_t len = sizeof a;
    getsockname(fd, (sockaddr *)&a, &len);
    *port = ntohs(a.sin6_port);
  }
  return fd;
}

std::string MyComm() {
  std::ifstream f("/proc/self/comm");
  std::string s;
  std::getline(f, s);
  return s;
}

}  // namespace

TEST(PortCheck, SC014_FindsThePidOfOurOwnListener) {
  int port = 0;
  int fd = Listen(AF_INET, &port);
  ASSERT_GE(fd, 0);
  pid_t pid = 0;
  char comm[64];
  ASSERT_EQ(1, srv_port_owner(port, &pid, comm, sizeof comm));
  EXPECT_EQ(getpid(), pid);
  EXPECT_EQ(MyComm(), comm);
  char msg[256];
  srv_port_conflict_message(port, msg, sizeof msg);
  std::string want = "port " + std::to_string(port) + " is already in use by PID " +
                     std::to_string(getpid()) + " (" + MyComm() +
                     "): stop that process or set PORT to a free port";
  EXPECT_EQ(want, msg);
  close(fd);
  // Closed: nobody holds it any more.
  EXPECT_EQ(0, srv_port_owner(port, &pid, comm, sizeof comm));
  srv_port_conflict_message(port, msg, sizeof msg);
  EXPECT_EQ("port " + std::to_string(port) +
                " is already in use: stop that process or set PORT to a free port",
            std::string(msg));
}

TEST(PortCheck, SC014_FindsIpv6Listeners) {
  int port = 0;
  int fd = Listen(AF_INET6, &port);
  if (fd < 0) GTEST_SKIP() << "no IPv6 loopback on this machine";
  pid_t pid = 0;
  ASSERT_EQ(1, srv_port_owner(port, &pid, nullptr, 0));
  EXPECT_EQ(getpid(), pid);
  close(fd);
}

TEST(PortCheck, OutOfRangeAndTruncation) {
  pid_t pid = 0;
  EXPECT_EQ(0, srv_port_owner(0, &pid, nullptr, 0));
  EXPECT_EQ(0, srv_port_owner(70000, &pid, nullptr, 0));
  char small[10];
  srv_port_conflict_message(8020, small, sizeof small);
  EXPECT_STREQ("port 8020", small);
}
