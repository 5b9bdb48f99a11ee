import { BadRequestException, NotFoundException } from '@nestjs/common';
import { UserEntity } from '@rpm/persistence';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import { toApiError } from './api-exception.filter';

describe('toApiError: one error body for whatever a request throws', () => {
  it('keeps the status and message of an HTTP exception, validation lists included', () => {
    expect(toApiError(new NotFoundException('patient not found'))).toEqual({ statusCode: 404, error: 'Not Found', message: 'patient not found' });
    expect(toApiError(new BadRequestException(['a: bad', 'b: bad']))).toEqual({ statusCode: 400, error: 'Bad Request', message: ['a: bad', 'b: bad'] });
  });

  it('answers 404 for a findOneByOrFail that finds nothing', () => {
    expect(toApiError(new EntityNotFoundError(UserEntity, { id: 'x' }))).toEqual({ statusCode: 404, error: 'Not Found', message: 'not found' });
  });

  it('answers 400 for a value PostgreSQL refuses as data and 409 for a conflict, 500 for anything else', () => {
    const failure = (code: string) => new QueryFailedError('INSERT', [], Object.assign(new Error('refused'), { code }));
    expect(toApiError(failure('22008')).statusCode).toBe(400);
    expect(toApiError(failure('22021')).statusCode).toBe(400);
    expect(toApiError(failure('23505')).statusCode).toBe(409);
    expect(toApiError(failure('57P01')).statusCode).toBe(500);
    expect(toApiError(new Error('boom'))).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });

  it('keeps the 4xx of a client error from the body parser', () => {
    expect(toApiError(Object.assign(new Error('Request body is too large'), { statusCode: 413 }))).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is too large',
    });
  });
});
