import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy in front of the test server, to lose connections the way a network does:
 * `holdReplies` swallows what the server sends (its acks never arrive) and `dropAll` cuts every
 * connection. Bytes are forwarded untouched otherwise.
 */
export class TcpProxy {
  /** While true, bytes from the server are dropped instead of forwarded. */
  holdReplies = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on a free loopback port and forwards to `target` (`http://host:port`). */
  static async start(target: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(target);
    let proxy: TcpProxy | null = null;
    const server = createServer((client) => proxy?.pipe(client, hostname, Number(port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Destroys every open connection (both sides) and forwards replies again afterwards. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.holdReplies = false;
  }

  /** Stops listening and cuts what is open. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    client.on('data', (bytes) => upstream.write(bytes));
    upstream.on('data', (bytes) => {
      if (!this.holdReplies) client.write(bytes);
    });
  }
}
