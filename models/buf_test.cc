// Proves buf.c: the one growable buffer (appends, printf, sticky failure, the limit, take/free).
#include "models/buf.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

TEST(Buf, AppendsKeepTheContentNulTerminated) {
  mdl_buf b = MDL_BUF_INIT;
  EXPECT_EQ(b.data, nullptr);
  EXPECT_EQ(mdl_buf_add(&b, "", 0), MDL_OK);
  ASSERT_NE(b.data, nullptr);
  EXPECT_STREQ(b.data, "");
  EXPECT_EQ(mdl_buf_puts(&b, "ab"), MDL_OK);
  EXPECT_EQ(mdl_buf_putc(&b, 'c'), MDL_OK);
  EXPECT_EQ(mdl_buf_add(&b, "dxyz", 1), MDL_OK);
  EXPECT_EQ(mdl_buf_printf(&b, "-%d-%s", 42, "e"), MDL_OK);
  EXPECT_STREQ(b.data, "abcd-42-e");
  EXPECT_EQ(b.len, 9u);
  EXPECT_GT(b.cap, b.len);
  mdl_buf_free(&b);
  EXPECT_EQ(b.data, nullptr);
  EXPECT_EQ(b.len, 0u);
}

TEST(Buf, GrowsPastManyDoublingsAndLongPrintf) {
  mdl_buf b = MDL_BUF_INIT;
  std::string want;
  for (int i = 0; i < 10000; i++) {
    ASSERT_EQ(mdl_buf_printf(&b, "%d,", i), MDL_OK);
    want += std::to_string(i) + ",";
  }
  std::string big(5000, 'x');  // longer than printf's stack scratch
  ASSERT_EQ(mdl_buf_printf(&b, "[%s]", big.c_str()), MDL_OK);
  want += "[" + big + "]";
  EXPECT_EQ(std::string(b.data, b.len), want);
  EXPECT_EQ(b.data[b.len], '\0');
  mdl_buf_free(&b);
}

TEST(Buf, LimitRefusesAndTheFailureIsSticky) {
  mdl_buf b;
  mdl_buf_init(&b, 5);
  EXPECT_EQ(mdl_buf_puts(&b, "12345"), MDL_OK);  // exactly max fits
  EXPECT_EQ(mdl_buf_putc(&b, '6'), MDL_ERANGE);
  EXPECT_EQ(b.failed, MDL_ERANGE);
  EXPECT_STREQ(b.data, "12345");                  // content unchanged
  EXPECT_EQ(mdl_buf_add(&b, "", 0), MDL_ERANGE);  // sticky, even for nothing
  EXPECT_EQ(mdl_buf_take(&b), nullptr);           // a failed buffer hands nothing out
  mdl_buf_reset(&b);                              // clears the failure, keeps the limit
  EXPECT_EQ(b.failed, MDL_OK);
  EXPECT_EQ(b.max, 5u);
  EXPECT_EQ(mdl_buf_printf(&b, "%s", "abcdef"), MDL_ERANGE);
  EXPECT_EQ(b.len, 0u);
  mdl_buf_free(&b);
}

TEST(Buf, SizeOverflowIsOutOfMemoryNotAWrap) {
  mdl_buf b = MDL_BUF_INIT;
  ASSERT_EQ(mdl_buf_puts(&b, "abc"), MDL_OK);
  EXPECT_EQ(mdl_buf_reserve(&b, SIZE_MAX - 2), MDL_ENOMEM);
  EXPECT_EQ(b.failed, MDL_ENOMEM);
  EXPECT_STREQ(b.data, "abc");
  mdl_buf_free(&b);
}

TEST(Buf, AddFileAppendsAWholeStreamOrNothingOfIt) {
  std::string big(50000, 'x');  // several reads
  big += "end";
  FILE *f = tmpfile();
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(fwrite(big.data(), 1, big.size(), f), big.size());
  rewind(f);
  mdl_buf b = MDL_BUF_INIT;
  mdl_buf_puts(&b, "head:");
  ASSERT_EQ(mdl_buf_add_file(&b, f), MDL_OK);
  EXPECT_EQ(std::string(b.data, b.len), "head:" + big);
  mdl_buf_free(&b);

  rewind(f);
  mdl_buf_init(&b, 1000);  // the stream is longer than the limit
  mdl_buf_puts(&b, "head:");
  EXPECT_EQ(mdl_buf_add_file(&b, f), MDL_ERANGE);
  EXPECT_EQ(b.failed, MDL_ERANGE);
  EXPECT_STREQ(b.data, "head:");  // nothing of the stream stays
  mdl_buf_free(&b);
  fclose(f);

  FILE *empty = tmpfile();
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(mdl_buf_add_file(&b, empty), MDL_OK);
  EXPECT_EQ(b.data, nullptr);  // an empty stream appends nothing
  fclose(empty);

  FILE *wo = fopen("/dev/null", "w");  // reading a write-only stream fails
  ASSERT_NE(wo, nullptr);
  EXPECT_EQ(mdl_buf_add_file(&b, wo), MDL_EIO);
  EXPECT_EQ(b.failed, MDL_EIO);
  fclose(wo);
  mdl_buf_free(&b);
}

TEST(Buf, TakeHandsOverTheStringAndEmptiesTheBuffer) {
  mdl_buf b = MDL_BUF_INIT;
  char *empty = mdl_buf_take(&b);
  ASSERT_NE(empty, nullptr);
  EXPECT_STREQ(empty, "");
  free(empty);
  mdl_buf_puts(&b, "hello");
  char *s = mdl_buf_take(&b);
  EXPECT_STREQ(s, "hello");
  EXPECT_EQ(b.data, nullptr);
  EXPECT_EQ(b.len, 0u);
  free(s);
  mdl_buf_free(&b);
}
