// File: common/executor.h
//
// A fixed pool of threads that runs handlers and their blocking Redis calls,
// so that gRPC's callback threads never wait on I/O (gRPC's C++ guide:
// reactions must not block).

#ifndef PARTYDEV_COMMON_EXECUTOR_H_
#define PARTYDEV_COMMON_EXECUTOR_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace partydev {

class Executor {
 public:
  explicit Executor(int threads);
  // Runs every queued task, then joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Submit(std::function<void()> task);

  // Tasks waiting for a thread (a gauge for metrics).
  size_t queued() const;

 private:
  void Work();

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_EXECUTOR_H_
