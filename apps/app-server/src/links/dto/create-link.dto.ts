import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const MAX_URL_LENGTH = 2048;
export const CODE_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;

export class CreateLinkDto {
  @IsString({ message: 'url is required and must be a string' })
  @MaxLength(MAX_URL_LENGTH, { message: `url must be at most ${MAX_URL_LENGTH} characters` })
  url!: string;

  @IsOptional()
  @IsString({ message: 'code must be a string' })
  @Matches(CODE_PATTERN, { message: 'code must be 3 to 32 letters, digits, "-" or "_"' })
  code?: string;
}
