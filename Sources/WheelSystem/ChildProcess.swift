#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSpawn

/// Starts a program and waits for it, as corelibs Foundation's `Process` did for us (the
/// binary no longer links Foundation): the same checks before starting, standard input from
/// /dev/null unless given, and no descriptor of ours inherited beyond the three standard
/// ones; unlike it, the child stays in our process group.
public enum ChildProcess {
    public struct Termination: Equatable, Sendable {
        /// The exit status, or the signal number when `signaled`.
        public var status: Int32
        public var signaled: Bool
    }

    /// Why a program could not be started: a Cocoa file error code (as Foundation reported it).
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var cocoaCode: Int
        /// As `localizedDescription` read before.
        public var description: String { ErrorText.describe(cocoaCode: cocoaCode) }
    }

    /// Runs `executable` (argv[0] is its path) with exactly `environment`, in `directory`
    /// when given, its standard output and error on the given descriptors (/dev/null for
    /// nil); returns once it has ended.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           directory: String? = nil, output: Int32? = nil, error: Int32? = nil) throws(StartError) -> Termination {
        try start(executable, arguments, environment: environment, directory: directory, output: output, error: error).wait()
    }

    /// A started child, to be waited for.
    public struct Started: Sendable {
        public let pid: pid_t

        public func wait() -> Termination {
            var waitStatus: Int32 = 0
            while waitpid(pid, &waitStatus, 0) == -1 && errno == EINTR {}
            // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import (they are macros).
            let signal = waitStatus & 0x7f
            if signal != 0 && signal != 0x7f { return Termination(status: signal, signaled: true) }
            return Termination(status: (waitStatus >> 8) & 0xff, signaled: false)
        }
    }

    /// Starts `executable` as `run` does, with standard input from `input` when given, and
    /// returns without waiting.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String],
                             directory: String? = nil, input: Int32? = nil, output: Int32? = nil,
                             error: Int32? = nil) throws(StartError) -> Started {
        // posix_spawn reports success even when exec fails in the child; check what we can first.
        var info = stat()
        guard stat(executable, &info) == 0 else { throw StartError(cocoaCode: ErrorText.readingCocoaCode(errno: errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw StartError(cocoaCode: 4) }
        guard access(executable, X_OK) == 0 else { throw StartError(cocoaCode: ErrorText.readingCocoaCode(errno: errno)) }

        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard devNull >= 0 else { throw StartError(cocoaCode: ErrorText.readingCocoaCode(errno: errno)) }
        defer { close(devNull) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input ?? devNull, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, output ?? devNull, STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, error ?? devNull, STDERR_FILENO)
        // Other threads may be starting builds and opening files at the same time.
        wc_spawn_addclosefrom(&actions, 3)
        if let directory { wc_spawn_addchdir(&actions, directory) }

        // The child stays in our process group (Foundation's Process gave it one of its own),
        // so a Ctrl-C, or a CI runner killing the job's group, stops the build too.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw StartError(cocoaCode: ErrorText.readingCocoaCode(errno: status)) }
        return Started(pid: pid)
    }
}
