"""What the lab's stand-in servers share (imported by depth-standins.py, hellos-b-standins.py
and industrial-standins.py from their own directory): a read of exactly n bytes, and a TCP
server per (address, port, handler), each connection handled on a thread of its own and
closed whatever the handler does."""
import socket, threading


def recv_exact(c, n):
    """n bytes from c (fewer when it closes, fails or is quiet for 5 s)."""
    data = b''
    c.settimeout(5)
    while len(data) < n:
        try:
            b = c.recv(n - len(data))
        except OSError:
            break
        if not b:
            break
        data += b
    return data


def serve(addr, port, handler):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()

        def one(c=c):
            try:
                handler(c)
            except Exception:
                pass  # a stand-in outlives any client's bytes
            finally:
                c.close()
        threading.Thread(target=one, daemon=True).start()


def serve_all(servers):
    """Serves every (address, port, handler) until the process is killed."""
    threads = [threading.Thread(target=serve, args=a, daemon=True) for a in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
