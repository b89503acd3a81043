// A second thread for work that can as well run inline: the batch planner
// and the append use one to spread a large batch over both cores.
#ifndef QLEDGER_DOMAIN_HELPER_THREAD_H_
#define QLEDGER_DOMAIN_HELPER_THREAD_H_

#include <functional>
#include <system_error>
#include <thread>

namespace qledger::domain {

// Starts `work` on a second thread; if the system refuses one (a resource
// limit), does it right here instead, so that the work is done either way.
// `work` must outlive the join. The returned thread is joinable only when
// one was started.
inline std::thread StartHelper(const std::function<void()>& work) {
  try {
    return std::thread(std::cref(work));
  } catch (const std::system_error&) {
    work();
    return std::thread();
  }
}

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_HELPER_THREAD_H_
