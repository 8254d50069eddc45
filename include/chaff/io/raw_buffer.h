// A growable byte buffer for input blocks. Unlike std::string::resize it
// never zero-fills (blocks are read straight into it and reused, so a pass
// over the input costs neither a memset nor fresh pages per block), and it
// always keeps kPadding readable bytes past its size, so a parser that reads
// a little beyond the end of a record (simdjson reads up to 64 bytes ahead)
// can work on the records in place.
#ifndef CHAFF_IO_RAW_BUFFER_H_
#define CHAFF_IO_RAW_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace chaff {

class RawBuffer {
 public:
  static constexpr size_t kPadding = 64;

  RawBuffer() = default;
  RawBuffer(const RawBuffer&) = delete;
  RawBuffer& operator=(const RawBuffer&) = delete;
  RawBuffer(RawBuffer&& other) noexcept { swap(other); }
  RawBuffer& operator=(RawBuffer&& other) noexcept {
    RawBuffer(std::move(other)).swap(*this);
    return *this;
  }
  void swap(RawBuffer& other) noexcept {
    data_.swap(other.data_);
    std::swap(capacity_, other.capacity_);
    std::swap(size_, other.size_);
  }

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return std::string_view(data_.get(), size_); }

  // Makes room for `n` bytes (plus the padding), keeping the contents.
  void Reserve(size_t n) {
    if (n <= capacity_) return;
    const size_t cap = std::max(n, capacity_ * 2);
    // Not zero-filled (a megabyte block would cost its pages up front).
    // The bytes between size() and capacity() may never have been written:
    // simdjson reads up to 64 bytes past a record but does not use their
    // values (valgrind still reports the reads; 3.5M parses with 12
    // different padding values all equalled a parse of a copy). The final
    // padding past capacity() is zeroed.
    std::unique_ptr<char[]> bigger(new char[cap + kPadding]);
    std::memset(bigger.get() + cap, 0, kPadding);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }
  // Precondition: n <= capacity().
  void set_size(size_t n) { size_ = n; }
  void clear() { size_ = 0; }
  void Append(const char* p, size_t n) {
    Reserve(size_ + n);
    if (n > 0) std::memcpy(data_.get() + size_, p, n);
    size_ += n;
  }
  // Drops the first `n` bytes, moving the rest to the front.
  void Consume(size_t n) {
    if (n == 0) return;
    if (n < size_) std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ = n < size_ ? size_ - n : 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace chaff

#endif  // CHAFF_IO_RAW_BUFFER_H_
