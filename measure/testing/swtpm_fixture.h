// GoogleTest fixture: a fresh swtpm per test, stopped (by pid) in TearDown.
// Header-only; the test binary links GTest and vouch::measure_testing.
#ifndef VOUCH_MEASURE_TESTING_SWTPM_FIXTURE_H_
#define VOUCH_MEASURE_TESTING_SWTPM_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "measure/testing/swtpm_process.h"
#include "measure/testing/temp_dir.h"

namespace vouch::testing {

class SwtpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(work_.path().empty()) << "cannot create a temporary directory";
    auto started = SwtpmProcess::Start(work_ / "tpm");
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    swtpm_ = std::move(started).value();
  }
  void TearDown() override { swtpm_.reset(); }

  // Runs a tpm2-tools command against the swtpm; fails the test (returning
  // the output) unless it exits 0.
  std::string Tool(const std::vector<std::string>& argv) {
    auto r = swtpm_->RunTpm2Tool(argv);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().ToString();
      return "";
    }
    EXPECT_EQ(r->exit_code, 0) << CommandLine(argv) << ":\n" << r->output;
    return r->output;
  }

  TempDir work_;  // scratch files; the swtpm state is in work_/tpm
  std::unique_ptr<SwtpmProcess> swtpm_;
};

}  // namespace vouch::testing

#endif  // VOUCH_MEASURE_TESTING_SWTPM_FIXTURE_H_
