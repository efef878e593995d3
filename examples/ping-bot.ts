// A bot that answers `!ping` with `pong` in one group (docs/bot.md).
import { ChatClient, openTlsLink } from 'termsender/client';

const env = (name: string): string => process.env[`BOT_${name}`] ?? '';
const chat = await ChatClient.open({
  connect: () => openTlsLink({ host: env('HOST'), port: Number(env('PORT')), caFile: env('CA') }),
  reconnectForMs: 60_000,
});
await chat.signIn({ user: env('USER'), password: env('PASSWORD') });
await chat.join(env('GROUP'));
chat.on('message', (message) => {
  if (message.text.trim() === '!ping') chat.say('pong').catch((error: Error) => console.error(error.message));
});
chat.on('gave_up', (error) => {
  console.error(error.message);
  process.exit(1);
});
process.on('SIGTERM', () => void chat.close().finally(() => process.exit(0)));
console.log(`answering !ping in ${chat.group} as ${chat.self}`);
