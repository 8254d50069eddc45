// Errors as values. The library never prints, throws or exits: every
// operation that can fail returns a Status (or a StatusOr<T>), and only the
// CLI turns a failed status into a message and an exit code.
#ifndef CHAFF_STATUS_H_
#define CHAFF_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace chaff {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // a caller or a user passed something unusable
  kNotFound,         // a file or a field does not exist
  kDataError,        // input bytes are malformed (bad JSON, bad gzip, ...)
  kIoError,          // the operating system refused a read or a write
  kCancelled,        // the run was interrupted (SIGINT)
  kBrokenPipe,       // the reader of our output went away (EPIPE)
  kInternal,         // a bug in chaff
};

// A success or an error with a message that a user can act on. The message
// names the file (and line) when the error is about input data, e.g.
// "in.jsonl:17: expected a string in field \"text\"".
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "prefix: message". Used to add the file
  // name (and line) as an error travels up from the reader that found it.
  // A message that already starts with "prefix: " is kept as it is: the
  // layer that found the error usually named the file already, and a layer
  // above must not name it twice ("a.gz: a.gz: truncated gzip stream").
  Status WithPrefix(const std::string& prefix) const {
    if (ok()) return *this;
    if (message_.size() > prefix.size() + 1 && message_.compare(0, prefix.size(), prefix) == 0 &&
        message_.compare(prefix.size(), 2, ": ") == 0) {
      return *this;
    }
    return Status(code_, prefix + ": " + message_);
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) {
  return Status(StatusCode::kNotFound, std::move(m));
}
inline Status DataError(std::string m) {
  return Status(StatusCode::kDataError, std::move(m));
}
inline Status IoError(std::string m) {
  return Status(StatusCode::kIoError, std::move(m));
}
inline Status Cancelled(std::string m) {
  return Status(StatusCode::kCancelled, std::move(m));
}
inline Status Internal(std::string m) {
  return Status(StatusCode::kInternal, std::move(m));
}

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr needs a value or an error");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // Preconditions: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace chaff

#define CHAFF_CONCAT_INNER_(a, b) a##b
#define CHAFF_CONCAT_(a, b) CHAFF_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is an error.
#define CHAFF_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::chaff::Status chaff_status_ = (expr);    \
    if (!chaff_status_.ok()) return chaff_status_; \
  } while (0)

// `CHAFF_ASSIGN_OR_RETURN(auto x, F());` declares x from a StatusOr or returns
// its error.
#define CHAFF_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto CHAFF_CONCAT_(chaff_statusor_, __LINE__) = (expr);              \
  if (!CHAFF_CONCAT_(chaff_statusor_, __LINE__).ok())                  \
    return CHAFF_CONCAT_(chaff_statusor_, __LINE__).status();          \
  lhs = std::move(CHAFF_CONCAT_(chaff_statusor_, __LINE__)).value()

#endif  // CHAFF_STATUS_H_
