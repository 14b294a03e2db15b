/* tcp_pair PORT N SIZE [6]: a TCP connection over loopback (127.0.0.1, or
 * ::1 with "6") from an ephemeral port to PORT: the client sends N
 * messages of SIZE bytes (one send() each), the server receives them all,
 * each connection end stays open HOLD ms (200) for tracers that read the
 * socket when their handler runs, then the client closes with SO_LINGER
 * 0 (the kernel's tcp_disconnect path, a reset) and the server closes.
 * Prints "CLIENT_PORT" on stdout. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void hold(void)
{
	struct timespec ts = { 0, 200 * 1000000 };

	nanosleep(&ts, NULL);
}

static int recv_all(int fd, char *buf, long size)
{
	for (long got = 0; got < size;) {
		ssize_t r = recv(fd, buf + got, (size_t)(size - got), 0);

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 47123, v6 = argc > 4 && atoi(argv[4]) == 6;
	long n = argc > 2 ? atol(argv[2]) : 3, size = argc > 3 ? atol(argv[3]) : 1000;
	struct sockaddr_storage ss;
	struct linger lg = { 1, 0 };
	socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int lfd, cfd, sfd, one = 1;
	char *buf = calloc(1, (size_t)(size > 0 ? size : 1));

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	lfd = socket(ss.ss_family, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!buf || lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len) < 0 || listen(lfd, 1) < 0)
		return perror("listen"), 1;
	cfd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&ss, len) < 0 || (sfd = accept(lfd, NULL, NULL)) < 0)
		return perror("connect"), 1;
	if (getsockname(cfd, (struct sockaddr *)&ss, &len) < 0)
		return 1;
	printf("%d\n", ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	hold();
	for (long i = 0; i < n; i++)
		if (send(cfd, buf, (size_t)size, 0) != size || recv_all(sfd, buf, size) < 0)
			return 1;
	hold();
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(cfd);
	close(sfd);
	close(lfd);
	return 0;
}
