#!/usr/bin/env python3
"""A tiny SMTP server for tests (RFC 5321, as much as libcurl speaks):
220 greeting, EHLO/HELO (advertising AUTH PLAIN), AUTH PLAIN, MAIL FROM,
RCPT TO, DATA, RSET, NOOP, QUIT. Binds 127.0.0.1 on a port the system
chooses and writes it to PORTFILE. Each message goes to OUTDIR/N.eml (the
data, dot-unstuffed) with OUTDIR/N.env (MAIL FROM, RCPT TO lines); each
login to OUTDIR/auth.log. RCPT TO an address given with --refuse gets
550. Usage: smtp_sink.py PORTFILE OUTDIR [--refuse ADDR]..."""
import base64
import os
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        srv = self.server
        mail_from, rcpts = None, []
        self.reply("220 sink.test ESMTP ready")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            cmd = line.upper()
            if cmd.startswith("EHLO"):
                self.wfile.write(b"250-sink.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
                self.wfile.flush()
            elif cmd.startswith("HELO"):
                self.reply("250 sink.test")
            elif cmd.startswith("AUTH PLAIN"):
                arg = line[10:].strip()
                if not arg:
                    self.reply("334 ")
                    arg = self.rfile.readline().decode().strip()
                parts = base64.b64decode(arg).split(b"\0")
                with open(os.path.join(srv.outdir, "auth.log"), "ab") as f:
                    f.write(parts[-2] + b":" + parts[-1] + b"\n")
                self.reply("235 2.7.0 Authentication successful")
            elif cmd.startswith("MAIL FROM:"):
                mail_from, rcpts = line[10:].strip(), []
                self.reply("250 2.1.0 Ok")
            elif cmd.startswith("RCPT TO:"):
                addr = line[8:].strip().strip("<>")
                if addr in srv.refuse:
                    self.reply("550 5.1.1 <%s>: Recipient address rejected: "
                               "User unknown" % addr)
                else:
                    rcpts.append(addr)
                    self.reply("250 2.1.5 Ok")
            elif cmd == "DATA":
                if not rcpts:
                    self.reply("554 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while True:
                    d = self.rfile.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                    if d.startswith(b".."):
                        d = d[1:]
                    data.append(d)
                with srv.lock:
                    srv.count += 1
                    n = srv.count
                base = os.path.join(srv.outdir, "%d" % n)
                with open(base + ".eml", "wb") as f:
                    f.write(b"".join(data))
                with open(base + ".env", "w") as f:
                    f.write("MAIL FROM %s\n" % mail_from)
                    for r in rcpts:
                        f.write("RCPT TO %s\n" % r)
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 Ok: queued as %d" % n)
            elif cmd == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 Ok")
            elif cmd == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif cmd == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    import threading
    portfile, outdir = sys.argv[1], sys.argv[2]
    refuse = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--refuse"]
    os.makedirs(outdir, exist_ok=True)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.outdir, srv.refuse, srv.count = outdir, set(refuse), 0
    srv.lock = threading.Lock()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
