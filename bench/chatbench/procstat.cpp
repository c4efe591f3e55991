#include "procstat.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <unistd.h>

namespace chat::bench {

namespace {

std::string procPath(int pid, const char *file)
{
    return (pid > 0 ? "/proc/" + std::to_string(pid) : std::string("/proc/self")) + "/" + file;
}

} // namespace

ProcSample sampleProcess(int pid)
{
    ProcSample sample;
    if (FILE *status = std::fopen(procPath(pid, "status").c_str(), "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, status)) {
            long long kb = 0;
            if (std::sscanf(line, "VmRSS: %lld kB", &kb) == 1) {
                sample.rssKb = kb;
                break;
            }
        }
        std::fclose(status);
    } else {
        return sample;
    }
    FILE *stat = std::fopen(procPath(pid, "stat").c_str(), "r");
    if (!stat)
        return sample;
    char buffer[1024] = {};
    const std::size_t read = std::fread(buffer, 1, sizeof buffer - 1, stat);
    std::fclose(stat);
    buffer[read] = '\0';
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const char *rest = std::strrchr(buffer, ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    // Fields 3..13 are skipped; 14 and 15 are utime and stime in clock ticks.
    if (rest && std::sscanf(rest + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                            &utime, &stime) == 2) {
        sample.cpuSeconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
        sample.ok = true;
    }
    return sample;
}

} // namespace chat::bench
