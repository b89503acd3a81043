// Test helper: config/policy.json, the default policy, as JSON.
#ifndef QLEDGER_TESTS_DOMAIN_DEFAULT_POLICY_H_
#define QLEDGER_TESTS_DOMAIN_DEFAULT_POLICY_H_

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

namespace qledger::domain {

inline boost::json::value DefaultPolicyJson() {
  std::ifstream in(std::string(QLEDGER_SOURCE_DIR) + "/config/policy.json", std::ios::binary);
  EXPECT_TRUE(in.good()) << "config/policy.json";
  std::ostringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

}  // namespace qledger::domain

#endif  // QLEDGER_TESTS_DOMAIN_DEFAULT_POLICY_H_
