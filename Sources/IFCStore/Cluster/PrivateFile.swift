import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold secrets (database passwords, the checkpoint signing key), created with their
/// final mode by `open(2)` itself: there is no moment, between creating and chmod-ing, in which
/// another user could open them. A replacement is written the same way beside the file and
/// renamed over it.
public enum PrivateFile {
    /// Writes `data` to `path` with `mode`, replacing any file there atomically.
    public static func write(_ data: Data, to path: String, mode: mode_t) throws {
        try write(data, to: path, mode: mode, replacing: true)
    }

    /// Creates `path` holding `data` with `mode`, complete or not at all; false (and nothing
    /// written) when a file is already there: two processes creating the same key at once end
    /// up using the one that was created first.
    public static func create(_ data: Data, at path: String, mode: mode_t) throws -> Bool {
        do {
            try write(data, to: path, mode: mode, replacing: false)
            return true
        } catch let error as NSError where error.domain == NSPOSIXErrorDomain && error.code == Int(EEXIST) {
            return false
        }
    }

    private static func write(_ data: Data, to path: String, mode: mode_t, replacing: Bool) throws {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw CocoaError.error(path, errno) }
        var ok = fchmod(fd, mode) == 0
        if ok {
            ok = data.withUnsafeBytes { buffer -> Bool in
                var offset = 0
                while offset < buffer.count {
                    #if canImport(Glibc)
                    let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    #else
                    let written = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    #endif
                    if written <= 0 { return false }
                    offset += written
                }
                return true
            }
        }
        ok = ok && fsync(fd) == 0
        let failure = errno
        close(fd)
        // link(2) refuses an existing target, where rename(2) replaces it.
        guard ok, (replacing ? rename(temporary, path) : link(temporary, path)) == 0 else {
            let code = ok ? errno : failure
            unlink(temporary)
            throw CocoaError.error(path, code)
        }
        if !replacing { unlink(temporary) }
    }
}

extension CocoaError {
    static func error(_ path: String, _ code: Int32) -> any Error {
        NSError(domain: NSPOSIXErrorDomain, code: Int(code), userInfo: [NSFilePathErrorKey: path,
                                                                        NSLocalizedDescriptionKey: String(cString: strerror(code))])
    }
}
