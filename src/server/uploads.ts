/**
 * Multipart uploads: one image file plus text fields, buffered in memory up to the upload limit
 * (the multipart plugin aborts larger files with 413 LB_ERR_PAYLOAD_TOO_LARGE).
 */
import type { FastifyRequest } from 'fastify';
import sharp, { type Metadata } from 'sharp';
import { LookbookError } from '../errors.ts';

export interface Upload {
  file?: { buffer: Buffer; filename: string; mimetype: string; field: string };
  fields: Record<string, string>;
}

export function isMultipart(request: FastifyRequest): boolean {
  return request.isMultipart();
}

/** Reads every part of a multipart request. Throws LB_ERR_INVALID_ARGUMENT when it is not multipart. */
export async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) {
    throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'expected a multipart/form-data upload with an "image" file field');
  }
  const out: Upload = { fields: {} };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const buffer = await part.toBuffer();
      if (out.file) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'send one image per request');
      out.file = { buffer, filename: part.filename, mimetype: part.mimetype, field: part.fieldname };
    } else {
      out.fields[part.fieldname] = typeof part.value === 'string' ? part.value : String(part.value);
    }
  }
  return out;
}

/**
 * Checks an uploaded image from its header only (no pixels decoded, no model loaded): not an image →
 * 422 LB_ERR_IMAGE_DECODE, more than maxPixels → 422 LB_ERR_IMAGE_TOO_LARGE, empty → LB_ERR_IMAGE_EMPTY.
 */
export async function checkImage(buffer: Buffer, maxPixels: number, name = 'upload'): Promise<{ width: number; height: number; format: string }> {
  if (buffer.length === 0) throw new LookbookError('LB_ERR_IMAGE_EMPTY', undefined, { subject: name });
  let meta: Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new LookbookError('LB_ERR_IMAGE_DECODE', `the upload is not a decodable image: ${(e as Error).message.split('\n')[0]}`, { subject: name, cause: e });
  }
  if (!meta.width || !meta.height || !meta.format) throw new LookbookError('LB_ERR_IMAGE_DECODE', 'the upload has no image dimensions', { subject: name });
  if (meta.width * meta.height > maxPixels) {
    throw new LookbookError('LB_ERR_IMAGE_TOO_LARGE', `the image is ${meta.width}×${meta.height}, over the ${maxPixels}-pixel limit`, {
      subject: name,
      details: { width: meta.width, height: meta.height, maxPixels },
    });
  }
  return { width: meta.width, height: meta.height, format: meta.format };
}

/** The uploaded image after checkImage, or LB_ERR_INVALID_ARGUMENT when the upload has no file. */
export async function requireImage(u: Upload, maxPixels: number): Promise<Buffer> {
  if (!u.file) throw new LookbookError('LB_ERR_INVALID_ARGUMENT', 'no image file in the upload (form field "image")');
  await checkImage(u.file.buffer, maxPixels, u.file.filename || 'upload');
  return u.file.buffer;
}
