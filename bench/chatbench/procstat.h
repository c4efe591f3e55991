// What /proc says about a process: resident memory and CPU time used so far.
#pragma once

#include <cstdint>

namespace chat::bench {

struct ProcSample
{
    bool ok = false;
    std::int64_t rssKb = 0; // VmRSS
    double cpuSeconds = 0;  // utime + stime
};

// pid 0 means this process.
ProcSample sampleProcess(int pid);

} // namespace chat::bench
