// Unit tests of the codebase-mcp client (coderefs.h) against real sockets on loopback: a peer
// thread that answers one canned HTTP response per connection, a listener that never answers
// (slow codebase-mcp), and a port nobody listens on (codebase-mcp down). Issue 6 item 4: one
// batched call, 500 ms budget, missing ids reported, failures are readable outcomes.
#include "servers/workflow_mcp/coderefs.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace {

// Listens on a free loopback port; Serve() answers each request with `response` (full HTTP text)
// and remembers the last request body.
class Peer {
 public:
  Peer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, (sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd_, (sockaddr *)&a, &len);
    port_ = ntohs(a.sin_port);
    EXPECT_EQ(listen(fd_, 16), 0);
  }
  ~Peer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (t_.joinable()) t_.join();
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  void Serve(const std::string &json_body, int status = 200) {
    std::string reason = status == 200 ? "OK" : "Error";
    response_ = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                "\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(json_body.size()) + "\r\n\r\n" + json_body;
    t_ = std::thread([this] {
      while (!stop_) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[4096];
        // Read headers, then Content-Length bytes of body.
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = read(c, buf, sizeof(buf));
          if (n <= 0) break;
          req.append(buf, (size_t)n);
        }
        size_t hdr_end = req.find("\r\n\r\n");
        size_t cl = 0;
        size_t p = req.find("Content-Length: ");
        if (p != std::string::npos) cl = strtoul(req.c_str() + p + 16, nullptr, 10);
        while (hdr_end != std::string::npos && req.size() < hdr_end + 4 + cl) {
          ssize_t n = read(c, buf, sizeof(buf));
          if (n <= 0) break;
          req.append(buf, (size_t)n);
        }
        requests_++;
        if (hdr_end != std::string::npos) last_body_ = req.substr(hdr_end + 4);
        last_request_ = req;
        ssize_t w = write(c, response_.data(), response_.size());
        (void)w;
        close(c);
      }
    });
  }
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::string last_body_, last_request_;

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::string response_;
  std::thread t_;
};

const char *kIds[] = {"aaa", "bbb", "ccc", "ddd", "eee"};

struct Result {
  srv_code rc;
  std::string missing;  // compact JSON
  std::string details;  // compact JSON
  std::string msg;
  double ms;
};

Result Ask(const std::string &url, int n = 5, const char *project = nullptr) {
  wf_coderefs *c = nullptr;
  srv_err err;
  Result r;
  EXPECT_EQ(wf_coderefs_new(url.c_str(), &c, &err), SRV_OK) << err.msg;
  cJSON *missing = nullptr, *details = nullptr;
  auto t0 = std::chrono::steady_clock::now();
  r.rc = wf_coderefs_missing(c, project, kIds, n, 0, &missing, &details, &err);
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.msg = r.rc == SRV_OK ? "" : err.msg;
  if (missing) {
    char *s = cJSON_PrintUnformatted(missing);
    r.missing = s;
    cJSON_free(s);
    cJSON_Delete(missing);
  }
  if (details) {
    char *s = cJSON_PrintUnformatted(details);
    r.details = s;
    cJSON_free(s);
    cJSON_Delete(details);
  }
  wf_coderefs_free(c);
  return r;
}

TEST(CodeRefs, US2_MissingListFromOneBatchedCall) {
  Peer peer;
  peer.Serve(
      R"({"found":[{"chunk_id":"aaa","content":"x"},{"chunk_id":"ccc"}],"missing":["bbb","ddd","eee"]})");
  Result r = Ask(peer.Url());
  ASSERT_EQ(r.rc, SRV_OK) << r.msg;
  EXPECT_EQ(r.missing, R"(["bbb","ddd","eee"])");
  EXPECT_EQ(peer.requests_.load(), 1) << "one batched call";
  EXPECT_EQ(peer.last_body_, R"({"chunk_ids":["aaa","bbb","ccc","ddd","eee"]})");
  EXPECT_NE(peer.last_request_.find("POST /mcp/get_chunks HTTP/1.1"), std::string::npos)
      << peer.last_request_;
}

TEST(CodeRefs, US2_AsksInTheProjectAndKeepsWhatHappenedToEachMissingChunk) {
  Peer peer;
  peer.Serve(
      R"({"found":[],"missing":["aaa","bbb"],"missing_details":[{"chunk_id":"bbb","reason":"changed",)"
      R"("likely_successor":{"chunk_id":"fff"}}]})");
  Result r = Ask(peer.Url(), 2, "proj-a");
  ASSERT_EQ(r.rc, SRV_OK) << r.msg;
  EXPECT_EQ(peer.last_body_, R"({"chunk_ids":["aaa","bbb"],"project_id":"proj-a"})");
  EXPECT_EQ(r.missing, R"(["aaa","bbb"])");
  EXPECT_EQ(r.details,
            R"([{"chunk_id":"aaa","reason":"unknown"},{"chunk_id":"bbb","reason":"changed",)"
            R"("likely_successor":{"chunk_id":"fff"}}])");
}

TEST(CodeRefs, US2_FoundOnlyAnswerMeansTheRestIsMissing) {
  Peer peer;
  peer.Serve(R"({"found":["aaa","eee"]})");
  Result r = Ask(peer.Url());
  ASSERT_EQ(r.rc, SRV_OK) << r.msg;
  EXPECT_EQ(r.missing, R"(["bbb","ccc","ddd"])");
}

TEST(CodeRefs, SC009_ErrorStatusOrGarbageIsUnavailable) {
  {
    Peer peer;
    peer.Serve(R"({"error":{"code":"internal","message":"boom"}})", 500);
    Result r = Ask(peer.Url());
    EXPECT_EQ(r.rc, SRV_EUNAVAIL);
    EXPECT_NE(r.msg.find("HTTP 500"), std::string::npos) << r.msg;
  }
  {
    Peer peer;
    peer.Serve("not json");
    Result r = Ask(peer.Url());
    EXPECT_EQ(r.rc, SRV_EUNAVAIL);
    EXPECT_NE(r.msg.find("without \"found\"/\"missing\""), std::string::npos) << r.msg;
  }
}

TEST(CodeRefs, SC009_DownIsUnavailableAtOnce) {
  int port;
  {
    Peer gone;  // bind a free port, then close it: nobody listens there afterwards
    port = gone.port_;
  }
  Result r = Ask("http://127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(r.rc, SRV_EUNAVAIL);
  EXPECT_NE(r.msg.find("unreachable"), std::string::npos) << r.msg;
  EXPECT_LT(r.ms, 200.0);
}

TEST(CodeRefs, SC009_SilentPeerTimesOutWithin500ms) {
  Peer silent;  // listens (the kernel completes the handshake) but never answers
  Result r = Ask(silent.Url());
  EXPECT_EQ(r.rc, SRV_ETIMEOUT);
  EXPECT_NE(r.msg.find("did not answer within 500 ms"), std::string::npos) << r.msg;
  EXPECT_GE(r.ms, 450.0);
  EXPECT_LT(r.ms, 700.0);
}

TEST(CodeRefs, ConfigRejectsNonHttpUrls) {
  wf_coderefs *c = nullptr;
  srv_err err;
  EXPECT_EQ(wf_coderefs_new("ftp://x", &c, &err), SRV_EINVAL);
  EXPECT_NE(std::string(err.msg).find("CODEBASE_MCP_URL"), std::string::npos);
  EXPECT_EQ(c, nullptr);
  ASSERT_EQ(wf_coderefs_new("http://127.0.0.1:8020///", &c, &err), SRV_OK);
  EXPECT_STREQ(wf_coderefs_url(c), "http://127.0.0.1:8020");
  wf_coderefs_free(c);
}

}  // namespace
