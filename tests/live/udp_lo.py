# udp_lo.py N SIZE: N datagrams of SIZE bytes from one UDP socket to
# another over 127.0.0.1, each received before the next is sent.
import socket, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    s.sendto(b"x" * size, r.getsockname()); r.recv(65536)
