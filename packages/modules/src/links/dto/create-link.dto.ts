import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LINK_CODE_PATTERN, LINK_CODE_RULE } from '../link-code';
import { MAX_URL_LENGTH } from '../link-target';

/** The JSON API's shape check; LinksService applies the same domain rules to every caller. */
export class CreateLinkDto {
  @IsString({ message: 'url is required and must be a string' })
  @MaxLength(MAX_URL_LENGTH, { message: `url must be at most ${MAX_URL_LENGTH} characters` })
  url!: string;

  @IsOptional()
  @IsString({ message: 'code must be a string' })
  @Matches(LINK_CODE_PATTERN, { message: LINK_CODE_RULE })
  code?: string;

  /** Release 2 (a release-1 server refuses it, saying so). */
  @IsOptional()
  @IsString({ message: 'title must be a string' })
  @MaxLength(200, { message: 'title must be at most 200 characters' })
  title?: string;

  /** Release 2. */
  @IsOptional()
  @IsArray({ message: 'tags must be an array of strings' })
  @ArrayMaxSize(20, { message: 'a link takes at most 20 tags' })
  @IsString({ each: true, message: 'each tag must be a string' })
  tags?: string[];
}
