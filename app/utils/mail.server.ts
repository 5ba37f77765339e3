// Outgoing mail (only "Forgot password?" links), through nodemailer on the operator's SMTP_URL.
// Messages are never logged: they hold reset links.
import nodemailer from "nodemailer";
import { singleton } from "~/utils/singleton.server";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

function transport(smtpUrl: string) {
  return singleton(`smtp:${smtpUrl}`, () => nodemailer.createTransport(smtpUrl));
}

export async function sendMail(smtp: { url: string; from: string }, mail: Mail): Promise<void> {
  await transport(smtp.url).sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text });
}
