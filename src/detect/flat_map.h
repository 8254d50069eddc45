// A hash map from 64-bit hashes to small values for the detectors' per-
// document state: open addressing with linear probing in one flat array,
// reused from document to document (Reset keeps the memory), so a document
// costs no allocation once the table has grown to the largest one.
// Keys are hashes already (XXH3): their low bits index the table as they are.
#ifndef CHAFF_DETECT_FLAT_MAP_H_
#define CHAFF_DETECT_FLAT_MAP_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace chaff {
namespace internal {

template <typename Value>
class FlatMap64 {
  static_assert(std::is_trivially_copyable_v<Value>);

 public:
  FlatMap64() { Reset(0); }

  // Empties the map and sizes it for up to `expected` keys (at most half
  // full). Clears only the slots that will be used.
  void Reset(size_t expected) {
    size_t size = 16;
    while (size < 2 * expected) size <<= 1;
    if (slots_.size() < size) slots_.resize(size);
    mask_ = size - 1;
    std::memset(static_cast<void*>(slots_.data()), 0, size * sizeof(Slot));
    count_ = 0;
    has_zero_ = false;
  }

  // The value of `key`, inserted as `init` when absent; *inserted says
  // which. The pointer is valid until the next Insert that grows the map.
  Value* Insert(uint64_t key, const Value& init, bool* inserted) {
    if (key == 0) {
      *inserted = !has_zero_;
      if (!has_zero_) {
        has_zero_ = true;
        zero_value_ = init;
      }
      return &zero_value_;
    }
    if (2 * (count_ + 1) > mask_ + 1) Grow();
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == key) {
        *inserted = false;
        return &s.value;
      }
      if (s.key == 0) {
        s.key = key;
        s.value = init;
        ++count_;
        *inserted = true;
        return &s.value;
      }
    }
  }

  // The value of `key`, or null.
  const Value* Find(uint64_t key) const {
    if (key == 0) return has_zero_ ? &zero_value_ : nullptr;
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == 0) return nullptr;
    }
  }

  // Starts fetching the slot where `key` would be.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[key & mask_]); }

  // Calls f(key, value) for every entry, in table order.
  template <typename F>
  void ForEach(F f) const {
    if (has_zero_) f(uint64_t{0}, zero_value_);
    for (size_t i = 0; i <= mask_; ++i) {
      if (slots_[i].key != 0) f(slots_[i].key, slots_[i].value);
    }
  }

  size_t size() const { return count_ + (has_zero_ ? 1 : 0); }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key;  // 0: free (the key 0 lives in zero_value_)
    Value value;
  };

  void Grow() {
    std::vector<Slot> old(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(mask_ + 1));
    const size_t size = 2 * (mask_ + 1);
    if (slots_.size() < size) slots_.resize(size);
    mask_ = size - 1;
    std::memset(static_cast<void*>(slots_.data()), 0, size * sizeof(Slot));
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = s.key & mask_;
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
  bool has_zero_ = false;
  Value zero_value_{};
};

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_FLAT_MAP_H_
