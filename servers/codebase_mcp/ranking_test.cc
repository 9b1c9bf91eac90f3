// Issue 13 item 4, relevance on a small real repository (a real codebase-mcp on its own
// PostgreSQL): an exact symbol-name match ranks first however often other chunks mention the
// name, and a query naming `SomeClass method` puts that class's own method above other classes'
// methods of the same name.
#include <gtest/gtest.h>

#include <string>

#include "servers/codebase_mcp/test_client.h"

using tst::Num;
using tst::Str;
using tst::WriteFile;

namespace {

tst::PgServer *&g_env = tst::ServerSuite::env;

class Ranking : public tst::ServerSuite {
 protected:
  static void SetUpTestSuite() {
    StartSuite(cbtest::Spec());
    if (env == nullptr) return;
    std::string root = tst::TempDir("cbrank");
    WriteFile(root + "/net/client.py", kClientPy);
    WriteFile(root + "/mail/mailer.py", kMailerPy);
    WriteFile(root + "/config/loader.py", kLoaderPy);
    WriteFile(root + "/web/store.js", kStoreJs);
    cJSON *st = cbtest::Index(*env, root, "rank");
    ASSERT_NE(st, nullptr);
    ASSERT_EQ(Str(st, "status"), "completed") << cJSON_PrintUnformatted(st);
    cJSON_Delete(st);
  }

  // The results of a query (owned by the caller), at most limit.
  static cJSON *Search(const std::string &query, int limit = 10) {
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "query", query.c_str());
    cJSON_AddStringToObject(a, "project_id", "rank");
    cJSON_AddNumberToObject(a, "limit", limit);
    char *body = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    cJSON *r = nullptr;
    long status = g_env->Post("/mcp/search", body, &r);
    free(body);
    EXPECT_EQ(status, 200);
    return r;
  }

  // "file:symbol@line" of result i, "" past the end.
  static std::string At(const cJSON *r, int i) {
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "results"), i);
    if (it == nullptr) return "";
    return Str(it, "file_path") + ":" + Str(it, "symbol") + "@" +
           std::to_string((int)Num(it, "start_line"));
  }

  // Every result with its score, for failure messages.
  static std::string Dump(const cJSON *r) {
    std::string out;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "results")) {
      char score[32];
      snprintf(score, sizeof score, "=%.4f", Num(it, "score"));
      out += " " + Str(it, "file_path") + ":" + Str(it, "symbol") + "@" +
             std::to_string((int)Num(it, "start_line")) + score;
    }
    return out;
  }

  static const char kClientPy[], kMailerPy[], kLoaderPy[], kStoreJs[];
};

// HttpClient.send is the only method whose text barely mentions HttpClient (its enclosing class
// is indexed at the lowest weight); the other classes' send methods repeat it in their docs.
const char Ranking::kClientPy[] =
    "\"\"\"HTTP transport.\"\"\"\n"
    "\n"
    "\n"
    "class HttpClient:\n"
    "    \"\"\"Sends requests over one pooled connection.\"\"\"\n"
    "\n"
    "    def send(self, request):\n"
    "        \"\"\"Write the request and read the reply.\"\"\"\n"
    "        return self.conn.write(request)\n"
    "\n"
    "    def close(self):\n"
    "        \"\"\"Close the connection.\"\"\"\n"
    "        self.conn.close()\n";

const char Ranking::kMailerPy[] =
    "from net.client import HttpClient\n"
    "\n"
    "\n"
    "class Mailer:\n"
    "    \"\"\"Delivers mail through an HttpClient.\"\"\"\n"
    "\n"
    "    def send(self, message):\n"
    "        \"\"\"Send the message with an HttpClient: HttpClient send, retried by "
    "HttpClient.\"\"\"\n"
    "        client = HttpClient()\n"
    "        return client.send(message)\n"
    "\n"
    "\n"
    "class SmsGateway:\n"
    "    \"\"\"Texts through an HttpClient.\"\"\"\n"
    "\n"
    "    def send(self, text):\n"
    "        \"\"\"Send a text through HttpClient send, on a fresh HttpClient.\"\"\"\n"
    "        return HttpClient.send(HttpClient(), text)\n";

// parse_config is short and says little; its callers and its longer-named sibling repeat its name.
const char Ranking::kLoaderPy[] =
    "def parse_config(text):\n"
    "    \"\"\"Read settings.\"\"\"\n"
    "    return dict(line.split('=', 1) for line in text.splitlines())\n"
    "\n"
    "\n"
    "def parse_config_file(path):\n"
    "    \"\"\"parse_config for a file: parse config text read by parse_config.\"\"\"\n"
    "    with open(path) as f:\n"
    "        return parse_config(f.read())\n"
    "\n"
    "\n"
    "def load_settings(path):\n"
    "    \"\"\"Calls parse_config; parse_config parses the config, parse config again.\"\"\"\n"
    "    return parse_config(open(path).read())\n";

const char Ranking::kStoreJs[] =
    "/** Keeps sessions; a SessionStore save writes them. */\n"
    "export class SessionStore {\n"
    "  /** Persist one session. */\n"
    "  save(session) { return this.db.put(session.id, session); }\n"
    "}\n"
    "\n"
    "/** Caches SessionStore rows: save goes to the SessionStore, save and save again. */\n"
    "export class SessionCache {\n"
    "  /** save to the SessionStore through SessionStore save. */\n"
    "  save(session) { return new SessionStore().save(session); }\n"
    "}\n";

TEST_F(Ranking, ExactSymbolMatchRanksFirst) {
  // However the query spells the name: as written, as words, in camelCase.
  for (const char *q : {"parse_config", "parse config", "parseConfig"}) {
    cJSON *r = Search(q);
    EXPECT_EQ(At(r, 0), "config/loader.py:parse_config@1") << q << ":" << Dump(r);
    cJSON_Delete(r);
  }
  cJSON *r = Search("parse_config_file");
  EXPECT_EQ(At(r, 0), "config/loader.py:parse_config_file@6");
  cJSON_Delete(r);
  // A class name: the class itself, not its methods or the classes that mention it.
  r = Search("SessionStore");
  EXPECT_EQ(At(r, 0), "web/store.js:SessionStore@1") << Dump(r);
  cJSON_Delete(r);
}

TEST_F(Ranking, ClassNamedInQueryLiftsItsOwnMethod) {
  cJSON *r = Search("HttpClient send");
  EXPECT_EQ(At(r, 0), "net/client.py:send@7") << Dump(r);
  cJSON_Delete(r);
  r = Search("SessionStore save");
  EXPECT_EQ(At(r, 0), "web/store.js:save@3") << Dump(r);
  cJSON_Delete(r);
  // Dotted, as people paste it.
  r = Search("HttpClient.send");
  EXPECT_EQ(At(r, 0), "net/client.py:send@7") << Dump(r);
  cJSON_Delete(r);
  // The other classes' send still answer, after it.
  r = Search("Mailer send");
  EXPECT_EQ(At(r, 0), "mail/mailer.py:send@7") << Dump(r);
  cJSON_Delete(r);
}

}  // namespace
