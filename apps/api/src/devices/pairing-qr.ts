import { pairingQrPayloadSchema, pairingQrUri } from '@rpm/contracts';
import QRCode from 'qrcode';

/** Error correction M (15 % of the symbol may be damaged): the library's default, enough for a printed sheet. */
export const PAIRING_QR_OPTIONS = { errorCorrectionLevel: 'M' } as const;

export interface PairingQr {
  payload: string;
  svg: string;
  pngDataUrl: string;
}

/**
 * The address a hub claims the code at, from the one the clinician reached the API at; null when the request's
 * Host (or forwarded host) is no URL host at all ("a b", "[::1", a port past 65535), which the caller answers
 * with 400 before any code is issued.
 */
export function pairingQrApiAddress(protocol: string, host: string): string | null {
  const api = `${protocol}://${host}`.replace(/\/+$/, '');
  return pairingQrPayloadSchema.shape.api.safeParse(api).success ? api : null;
}

/** The QR code of a pairing code, drawn by the qrcode library from the documented URI (libs/contracts pairing-qr.schema.ts). */
export async function pairingQr(code: string, apiBaseUrl: string): Promise<PairingQr> {
  const payload = pairingQrUri({ code, api: apiBaseUrl.replace(/\/+$/, '') });
  const [svg, pngDataUrl] = await Promise.all([
    QRCode.toString(payload, { ...PAIRING_QR_OPTIONS, type: 'svg' }),
    QRCode.toDataURL(payload, { ...PAIRING_QR_OPTIONS, type: 'image/png', scale: 8 }),
  ]);
  return { payload, svg, pngDataUrl };
}
